-- 0006_media_settings.sql -- per-trunk media settings and the span's echo
-- canceller (docs/media.md).  Defaults keep today's behaviour: PCMU then
-- PCMA, a 60 s RTP timeout that never runs on hold, no echo canceller.
-- srtp_mode and media_bypass were in 0001 already.
ALTER TABLE sip_trunks ADD COLUMN codecs TEXT NOT NULL DEFAULT 'PCMU,PCMA';
ALTER TABLE sip_trunks ADD COLUMN rtp_timeout INTEGER NOT NULL DEFAULT 60
	CHECK (rtp_timeout >= 0 AND rtp_timeout <= 3600);
ALTER TABLE sip_trunks ADD COLUMN rtp_timeout_on_hold INTEGER NOT NULL DEFAULT 0
	CHECK (rtp_timeout_on_hold IN (0, 1));
ALTER TABLE spans ADD COLUMN echo_tail_ms INTEGER NOT NULL DEFAULT 0
	CHECK (echo_tail_ms = 0 OR (echo_tail_ms >= 32 AND echo_tail_ms <= 128));
