-- 0004_sip_auth.sql -- digest credentials for ITSP trunks: answering 401/407
-- challenges to our INVITEs, and an outbound REGISTER (refreshed before it
-- expires) when `register` is on.  The password is kept as given: a digest
-- client needs it (or an HA1 per realm) to answer; the API never returns it.
-- Defaults keep today's behaviour: no credentials, no registration.
ALTER TABLE sip_trunks ADD COLUMN auth_username TEXT NOT NULL DEFAULT '';
ALTER TABLE sip_trunks ADD COLUMN auth_password TEXT NOT NULL DEFAULT '';
ALTER TABLE sip_trunks ADD COLUMN auth_realm TEXT NOT NULL DEFAULT '';      -- '' = the challenge's
ALTER TABLE sip_trunks ADD COLUMN register INTEGER NOT NULL DEFAULT 0 CHECK (register IN (0, 1));
ALTER TABLE sip_trunks ADD COLUMN register_expires INTEGER NOT NULL DEFAULT 3600;  -- seconds asked for
