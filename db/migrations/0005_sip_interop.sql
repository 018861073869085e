-- 0005_sip_interop.sql -- a SIP trunk's interop overrides: "name=value, ..."
-- switches applied over its profile and its prack/session_timer/refer_mode
-- columns (daemon/sip/trunk_profile.c; docs/sip.md lists the switches).
-- '' keeps today's behaviour: the profile's settings.
ALTER TABLE sip_trunks ADD COLUMN interop TEXT NOT NULL DEFAULT '';
