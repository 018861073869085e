-- A trunkgate database at schema version 1 (release 0.1.0), with rows in every
-- table; test_migrate.c upgrades it to the latest schema and checks every row
-- survives.  Made with sqlite3 .dump; keep one such file per released schema.
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE settings (
	key        TEXT PRIMARY KEY,
	value      TEXT NOT NULL,
	updated_at INTEGER NOT NULL
);
INSERT INTO settings VALUES('system_name','gw-fixture-v1',1700000000000);
INSERT INTO settings VALUES('location','Lab',1700000000000);
CREATE TABLE config_state (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	generation INTEGER NOT NULL DEFAULT 0,
	changed_at INTEGER NOT NULL DEFAULT 0,
	changed_by TEXT NOT NULL DEFAULT ''
);
INSERT INTO config_state VALUES(1,7,1700000000000,'admin');
CREATE TABLE users (
	id                   INTEGER PRIMARY KEY,
	username             TEXT NOT NULL UNIQUE,
	password_hash        TEXT NOT NULL,               -- yescrypt ($y$...) via libcrypt
	role                 TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
	must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
	disabled             INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
	failed_logins        INTEGER NOT NULL DEFAULT 0,
	locked_until         INTEGER NOT NULL DEFAULT 0,
	created_at           INTEGER NOT NULL,
	updated_at           INTEGER NOT NULL,
	last_login_at        INTEGER
);
INSERT INTO users VALUES(1,'admin','$y$j9T$fixture$notarealhash','admin',0,0,0,0,1700000000000,1700000000000,NULL);
INSERT INTO users VALUES(2,'noc','$y$j9T$fixture$notarealhash2','viewer',0,0,0,0,1700000000000,1700000000000,NULL);
CREATE TABLE api_tokens (
	id           INTEGER PRIMARY KEY,
	name         TEXT NOT NULL,
	token_hash   TEXT NOT NULL UNIQUE,
	role         TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
	created_by   INTEGER REFERENCES users(id) ON DELETE SET NULL,
	created_at   INTEGER NOT NULL,
	expires_at   INTEGER,
	last_used_at INTEGER,
	revoked_at   INTEGER
);
INSERT INTO api_tokens VALUES(1,'provisioning','0f0f','admin',1,1700000000000,NULL,NULL,NULL);
CREATE TABLE sip_trunks (
	id                INTEGER PRIMARY KEY,
	name              TEXT NOT NULL UNIQUE,
	enabled           INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
	profile           TEXT NOT NULL DEFAULT 'generic',        -- interop profile: generic, lync2013, itsp
	transport         TEXT NOT NULL DEFAULT 'udp' CHECK (transport IN ('udp', 'tcp', 'tls')),
	listen            TEXT NOT NULL DEFAULT '',               -- local address:port for this trunk ('' = shared)
	tls_cert          TEXT NOT NULL DEFAULT '',
	tls_key           TEXT NOT NULL DEFAULT '',
	tls_ca            TEXT NOT NULL DEFAULT '',
	tls_verify_name   TEXT NOT NULL DEFAULT '',
	srtp_mode         TEXT NOT NULL DEFAULT 'off' CHECK (srtp_mode IN ('off', 'optional', 'required')),
	media_bypass      INTEGER NOT NULL DEFAULT 0 CHECK (media_bypass IN (0, 1)),
	refer_mode        TEXT NOT NULL DEFAULT 'reject' CHECK (refer_mode IN ('reject', 'pass', 'act')),
	prack             INTEGER NOT NULL DEFAULT 0 CHECK (prack IN (0, 1)),
	session_timer     INTEGER NOT NULL DEFAULT 0,             -- seconds, 0 = off
	options_interval  INTEGER NOT NULL DEFAULT 30,            -- seconds, 0 = no probing
	options_down_after INTEGER NOT NULL DEFAULT 3,
	options_up_after  INTEGER NOT NULL DEFAULT 1,
	allowed_sources   TEXT NOT NULL DEFAULT '',               -- addresses/CIDRs, comma separated
	max_calls         INTEGER NOT NULL DEFAULT 0,             -- 0 = unlimited
	created_at        INTEGER NOT NULL,
	updated_at        INTEGER NOT NULL
);
INSERT INTO sip_trunks VALUES(1,'lync-pool',1,'lync2013','tls','0.0.0.0:5067','','','','','optional',1,'reject',0,0,30,3,1,'',0,1700000000000,1700000000000);
CREATE TABLE sip_peers (
	id        INTEGER PRIMARY KEY,
	trunk_id  INTEGER NOT NULL REFERENCES sip_trunks(id) ON DELETE CASCADE,
	host      TEXT NOT NULL,
	port      INTEGER NOT NULL DEFAULT 0 CHECK (port BETWEEN 0 AND 65535),  -- 0 = DNS SRV / default
	transport TEXT NOT NULL DEFAULT '' CHECK (transport IN ('', 'udp', 'tcp', 'tls')),
	priority  INTEGER NOT NULL DEFAULT 10,
	weight    INTEGER NOT NULL DEFAULT 10,
	enabled   INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1))
);
INSERT INTO sip_peers VALUES(1,1,'med1.example.com',5067,'tls',10,10,1);
INSERT INTO sip_peers VALUES(2,1,'med2.example.com',5067,'tls',10,10,1);
CREATE TABLE spans (
	id           INTEGER PRIMARY KEY,
	name         TEXT NOT NULL UNIQUE,
	enabled      INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
	driver       TEXT NOT NULL DEFAULT 'sim' CHECK (driver IN ('sim', 'dahdi')),
	position     INTEGER NOT NULL DEFAULT 1,                  -- span number on the driver
	type         TEXT NOT NULL CHECK (type IN ('T1', 'E1')),
	framing      TEXT NOT NULL CHECK (framing IN ('ESF', 'D4', 'CAS', 'CCS')),
	line_code    TEXT NOT NULL CHECK (line_code IN ('B8ZS', 'AMI', 'HDB3')),
	crc4         INTEGER NOT NULL DEFAULT 0 CHECK (crc4 IN (0, 1)),
	clock_source TEXT NOT NULL DEFAULT 'line' CHECK (clock_source IN ('line', 'internal')),
	signalling   TEXT NOT NULL DEFAULT 'pri' CHECK (signalling IN ('pri')),
	pri_side     TEXT NOT NULL DEFAULT 'user' CHECK (pri_side IN ('network', 'user')),
	switch_type  TEXT NOT NULL DEFAULT 'euroisdn' CHECK (switch_type IN ('ni2', '5ess', 'dms100', 'euroisdn', 'qsig')),
	hunting      TEXT NOT NULL DEFAULT 'ascending' CHECK (hunting IN ('ascending', 'descending', 'round-robin')),
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL,
	UNIQUE (driver, position)
);
INSERT INTO spans VALUES(1,'carrier',1,'sim',1,'E1','CCS','HDB3',1,'line','pri','user','euroisdn','ascending',1700000000000,1700000000000);
INSERT INTO spans VALUES(2,'pbx',1,'sim',2,'E1','CCS','HDB3',1,'line','pri','network','euroisdn','ascending',1700000000000,1700000000000);
CREATE TABLE analog_ports (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL UNIQUE,
	enabled    INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
	driver     TEXT NOT NULL DEFAULT 'sim' CHECK (driver IN ('sim', 'dahdi', 'alsa')),
	position   INTEGER NOT NULL DEFAULT 1,
	kind       TEXT NOT NULL CHECK (kind IN ('fxs', 'fxo')),
	number     TEXT NOT NULL DEFAULT '',                      -- the line's own number
	device     TEXT NOT NULL DEFAULT '',                      -- e.g. an ALSA PCM name
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	UNIQUE (driver, position)
);
INSERT INTO analog_ports VALUES(1,'fax-1',1,'sim',1,'fxs','+4930100999','',1700000000000,1700000000000);
CREATE TABLE trunk_groups (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL UNIQUE,
	kind       TEXT NOT NULL CHECK (kind IN ('span', 'sip', 'analog')),
	hunting    TEXT NOT NULL DEFAULT 'ascending' CHECK (hunting IN ('ascending', 'descending', 'round-robin', 'weighted')),
	max_calls  INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
INSERT INTO trunk_groups VALUES(1,'carrier','span','ascending',0,1,1);
INSERT INTO trunk_groups VALUES(2,'pbx','span','ascending',0,1,1);
INSERT INTO trunk_groups VALUES(3,'lync','sip','ascending',0,1,1);
CREATE TABLE trunk_group_members (
	id             INTEGER PRIMARY KEY,
	group_id       INTEGER NOT NULL REFERENCES trunk_groups(id) ON DELETE CASCADE,
	span_id        INTEGER REFERENCES spans(id) ON DELETE RESTRICT,
	sip_trunk_id   INTEGER REFERENCES sip_trunks(id) ON DELETE RESTRICT,
	analog_port_id INTEGER REFERENCES analog_ports(id) ON DELETE RESTRICT,
	first_channel  INTEGER NOT NULL DEFAULT 0,                -- 0 = whole span
	last_channel   INTEGER NOT NULL DEFAULT 0,
	position       INTEGER NOT NULL DEFAULT 0,
	weight         INTEGER NOT NULL DEFAULT 1,
	CHECK ((span_id IS NOT NULL) + (sip_trunk_id IS NOT NULL) + (analog_port_id IS NOT NULL) = 1)
);
INSERT INTO trunk_group_members VALUES(1,1,1,NULL,NULL,0,0,0,1);
INSERT INTO trunk_group_members VALUES(2,2,2,NULL,NULL,0,0,0,1);
INSERT INTO trunk_group_members VALUES(3,3,NULL,1,NULL,0,0,0,1);
CREATE TABLE number_ranges (
	id               INTEGER PRIMARY KEY,
	name             TEXT NOT NULL UNIQUE,
	first_number     TEXT NOT NULL DEFAULT '',
	last_number      TEXT NOT NULL DEFAULT '',
	prefix           TEXT NOT NULL DEFAULT '',
	group_id         INTEGER REFERENCES trunk_groups(id) ON DELETE RESTRICT,
	override_allowed INTEGER NOT NULL DEFAULT 0 CHECK (override_allowed IN (0, 1)),
	description      TEXT NOT NULL DEFAULT '',
	created_at       INTEGER NOT NULL,
	updated_at       INTEGER NOT NULL,
	CHECK ((prefix <> '') <> (first_number <> ''))
);
INSERT INTO number_ranges VALUES(1,'ev-users','+4930100100','+4930100199','',3,0,'',1,1);
INSERT INTO number_ranges VALUES(2,'pbx-users','','','+49301002',2,0,'',1,1);
CREATE TABLE manipulation_rules (
	id           INTEGER PRIMARY KEY,
	group_id     INTEGER NOT NULL REFERENCES trunk_groups(id) ON DELETE CASCADE,
	direction    TEXT NOT NULL CHECK (direction IN ('in', 'out')),
	field        TEXT NOT NULL CHECK (field IN ('called', 'calling')),
	position     INTEGER NOT NULL DEFAULT 0,
	match_type   TEXT NOT NULL CHECK (match_type IN ('prefix', 'regex')),
	pattern      TEXT NOT NULL,
	replacement  TEXT NOT NULL DEFAULT '',
	strip        INTEGER NOT NULL DEFAULT 0,
	prepend      TEXT NOT NULL DEFAULT '',
	set_ton      TEXT NOT NULL DEFAULT '',                    -- '' = unchanged
	set_npi      TEXT NOT NULL DEFAULT '',
	presentation TEXT NOT NULL DEFAULT '' CHECK (presentation IN ('', 'allowed', 'restricted')),
	description  TEXT NOT NULL DEFAULT '',
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL
);
INSERT INTO manipulation_rules VALUES(1,1,'in','called',0,'regex','^(\d{3})$','+4930100$1',0,'','','','','',1,1);
CREATE TABLE routes (
	id                   INTEGER PRIMARY KEY,
	name                 TEXT NOT NULL UNIQUE,
	enabled              INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
	position             INTEGER NOT NULL DEFAULT 0,
	source_group_id      INTEGER REFERENCES trunk_groups(id) ON DELETE RESTRICT,  -- NULL = any
	range_id             INTEGER REFERENCES number_ranges(id) ON DELETE RESTRICT,
	called_prefix        TEXT NOT NULL DEFAULT '',
	calling_prefix       TEXT NOT NULL DEFAULT '',
	days                 TEXT NOT NULL DEFAULT '',                -- e.g. 'mon-fri'; '' = every day
	time_from            TEXT NOT NULL DEFAULT '',                -- 'HH:MM'; '' = all day
	time_to              TEXT NOT NULL DEFAULT '',
	survivability_group_id INTEGER REFERENCES trunk_groups(id) ON DELETE RESTRICT,
	survivability_forward  TEXT NOT NULL DEFAULT '',             -- PSTN number to forward to
	created_at           INTEGER NOT NULL,
	updated_at           INTEGER NOT NULL
);
INSERT INTO routes VALUES(1,'carrier-to-ev',1,0,1,1,'','','','','',2,'',1,1);
CREATE TABLE route_destinations (
	id              INTEGER PRIMARY KEY,
	route_id        INTEGER NOT NULL REFERENCES routes(id) ON DELETE CASCADE,
	group_id        INTEGER NOT NULL REFERENCES trunk_groups(id) ON DELETE RESTRICT,
	position        INTEGER NOT NULL DEFAULT 0,
	weight          INTEGER NOT NULL DEFAULT 0,                   -- 0 = strict order
	failover_causes TEXT NOT NULL DEFAULT '34,38,41,42,44'        -- Q.850 causes / SIP codes
);
INSERT INTO route_destinations VALUES(1,1,3,0,0,'34,38,41,42,44');
CREATE TABLE bypass_pairs (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL UNIQUE,
	span_a_id  INTEGER NOT NULL REFERENCES spans(id) ON DELETE RESTRICT,
	span_b_id  INTEGER NOT NULL REFERENCES spans(id) ON DELETE RESTRICT,
	mode       TEXT NOT NULL DEFAULT 'auto' CHECK (mode IN ('auto', 'engaged', 'released')),
	busy_out   INTEGER NOT NULL DEFAULT 0 CHECK (busy_out IN (0, 1)),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	CHECK (span_a_id <> span_b_id)
);
INSERT INTO bypass_pairs VALUES(1,'carrier-pbx',1,2,'auto',0,1,1);
CREATE TABLE audit_log (
	id          INTEGER PRIMARY KEY,
	at          INTEGER NOT NULL,
	actor       TEXT NOT NULL,
	remote      TEXT NOT NULL DEFAULT '',
	action      TEXT NOT NULL,                                -- create, update, delete, login, ...
	object_type TEXT NOT NULL DEFAULT '',
	object_id   TEXT NOT NULL DEFAULT '',
	before_json TEXT,
	after_json  TEXT
);
INSERT INTO audit_log VALUES(1,1,'admin','','update','settings','',NULL,NULL);
CREATE TABLE events (
	id       INTEGER PRIMARY KEY,
	at       INTEGER NOT NULL,
	severity TEXT NOT NULL CHECK (severity IN ('critical', 'major', 'minor', 'warning', 'info', 'cleared')),
	kind     TEXT NOT NULL,
	source   TEXT NOT NULL DEFAULT '',
	message  TEXT NOT NULL,
	data_json TEXT
);
INSERT INTO events VALUES(1,1,'info','daemon-start','','started',NULL);
CREATE TABLE cdrs (
	id             INTEGER PRIMARY KEY,
	call_id        TEXT NOT NULL UNIQUE,
	setup_at       INTEGER NOT NULL,
	alert_at       INTEGER,
	answer_at      INTEGER,
	end_at         INTEGER NOT NULL,
	in_kind        TEXT NOT NULL DEFAULT '',                  -- sip, pri, analog
	in_group       TEXT NOT NULL DEFAULT '',
	in_trunk       TEXT NOT NULL DEFAULT '',                  -- span or SIP trunk name
	in_channel     INTEGER,
	out_kind       TEXT NOT NULL DEFAULT '',
	out_group      TEXT NOT NULL DEFAULT '',
	out_trunk      TEXT NOT NULL DEFAULT '',
	out_channel    INTEGER,
	calling        TEXT NOT NULL DEFAULT '',
	called         TEXT NOT NULL DEFAULT '',
	calling_out    TEXT NOT NULL DEFAULT '',                  -- after manipulation
	called_out     TEXT NOT NULL DEFAULT '',
	route          TEXT NOT NULL DEFAULT '',
	cause          INTEGER NOT NULL DEFAULT 16,               -- Q.850
	sip_status     INTEGER,
	released_by    TEXT NOT NULL DEFAULT '' CHECK (released_by IN ('', 'caller', 'callee', 'gateway')),
	codec_in       TEXT NOT NULL DEFAULT '',
	codec_out      TEXT NOT NULL DEFAULT '',
	media_bypass   INTEGER NOT NULL DEFAULT 0,
	quality_json   TEXT
);
INSERT INTO cdrs VALUES(1,'c-1',1,NULL,NULL,2,'','','',NULL,'','','',NULL,'+4930555','+4930100123','','','',16,NULL,'','','',0,NULL);
CREATE INDEX sip_peers_trunk ON sip_peers(trunk_id);
CREATE INDEX trunk_group_members_group ON trunk_group_members(group_id);
CREATE INDEX manipulation_rules_group ON manipulation_rules(group_id, direction, position);
CREATE INDEX route_destinations_route ON route_destinations(route_id, position);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX events_at ON events(at);
CREATE INDEX cdrs_end_at ON cdrs(end_at);
CREATE INDEX cdrs_called ON cdrs(called);
COMMIT;
PRAGMA user_version=1;
