-- 0003_survivability.sql -- busy-out for spans without a bypass relay: a span
-- may name the (SIP) trunk group it depends on; while that group is down the
-- gateway takes the span out of service so the PBX or carrier routes its
-- calls elsewhere, by taking the D channel down ('dchan') or by Q.931
-- SERVICE messages ('service').  Defaults keep today's behaviour: no group.
-- (bypass_pairs.busy_out from 0001 stays unused: busy-out is per span.)
ALTER TABLE spans ADD COLUMN busy_out_group_id INTEGER REFERENCES trunk_groups(id) ON DELETE RESTRICT;
ALTER TABLE spans ADD COLUMN busy_out_method TEXT NOT NULL DEFAULT 'dchan'
	CHECK (busy_out_method IN ('dchan', 'service'));
