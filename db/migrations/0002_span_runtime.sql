-- 0002_span_runtime.sql -- what a span needs to run: a commissioning test
-- number the gateway answers itself, a Q.931 trace switch, and, for sim
-- spans, the endpoint to attach to when this gateway is the far end.
-- Defaults keep today's behaviour: no test number, no trace, listen.
ALTER TABLE spans ADD COLUMN test_number TEXT NOT NULL DEFAULT '';
ALTER TABLE spans ADD COLUMN debug INTEGER NOT NULL DEFAULT 0 CHECK (debug IN (0, 1));
ALTER TABLE spans ADD COLUMN sim_attach TEXT NOT NULL DEFAULT '';
