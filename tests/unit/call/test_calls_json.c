/*
 * test_calls_json.c -- the live call list (daemon/status/calls_json.c), built
 * one call at a time into one text: the same document a tree of every call
 * made, {"active":N,"calls":[...]} with each call's object, for none, one
 * and several calls between fake legs; and when a reader is given a list
 * built anew (status_calls_stale).
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "call.h"
#include "status/status.h"
#include "test.h"
#include "fake_legs.h"

int test_calls_json_lists_every_call_in_one_document(void);
int test_calls_json_is_rebuilt_when_a_call_starts_or_ends_or_it_is_old(void);

/* The text parsed; its "active" and the size of "calls" must agree. */
static json_t *parse(char *text, size_t *active)
{
	json_t *doc = text ? json_loads(text, 0, NULL) : NULL;
	json_t *calls = json_object_get(doc, "calls");

	free(text);
	*active = (size_t)json_integer_value(json_object_get(doc, "active"));
	if (!json_is_array(calls) || json_array_size(calls) != *active) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

int test_calls_json_lists_every_call_in_one_document(void)
{
	struct call_core *core = NULL;
	struct route_table *t = NULL;
	struct fake_leg in[3];
	json_t *doc = NULL, *c;
	size_t active = 99;
	int err;

	doc = parse(status_calls_build(NULL), &active);
	TEST_ASSERT(doc);
	TEST_EQ(0, active);
	json_decref(doc);
	doc = NULL;
	err = setup_core(&core, &t);
	TEST_ERR(err);
	doc = parse(status_calls_build(core), &active);
	TEST_ASSERT(doc);
	TEST_EQ(0, active);
	json_decref(doc);
	doc = NULL;

	incoming(core, &in[0], "4930100123");
	doc = parse(status_calls_build(core), &active);
	TEST_ASSERT(doc);
	TEST_EQ(1, active);
	c = json_array_get(json_object_get(doc, "calls"), 0);
	TEST_STREQ("4930100123", json_string_value(json_object_get(c, "called")));
	TEST_ASSERT(!strncmp(json_string_value(json_object_get(c, "id")), "tg-", 3));
	TEST_ASSERT(json_is_object(json_object_get(c, "media")));
	json_decref(doc);
	doc = NULL;

	incoming(core, &in[1], "4930100124");
	incoming(core, &in[2], "5550001");
	doc = parse(status_calls_build(core), &active);
	TEST_ASSERT(doc);
	TEST_EQ(3, active);
	for (size_t i = 0; i < 3; i++) {
		const char *called = json_string_value(json_object_get(
			json_array_get(json_object_get(doc, "calls"), i), "called"));

		TEST_ASSERT(called && (!strcmp(called, "4930100123") || !strcmp(called, "4930100124") ||
				       !strcmp(called, "5550001")));
	}
 out:
	json_decref(doc);
	call_core_destroy(core);
	route_table_unref(t);
	return err;
}

/* The main thread's rule for a reader (daemon/main.c calls_list) over a real
 * call core: a list is reused only while it is young and no call started or
 * ended since it was built. */
int test_calls_json_is_rebuilt_when_a_call_starts_or_ends_or_it_is_old(void)
{
	struct call_core *core = NULL;
	struct route_table *t = NULL;
	struct status_calls_mark m = { 0 };
	struct fake_leg in[2];
	const unsigned long long t0 = 100000;
	int err;

	err = setup_core(&core, &t);
	TEST_ERR(err);
	/* none kept: built whatever the counts */
	TEST_ASSERT(status_calls_stale(&m, t0, call_core_total(core), call_core_active(core)));
	m = (struct status_calls_mark){ t0, call_core_total(core), call_core_active(core) };
	TEST_ASSERT(!status_calls_stale(&m, t0, call_core_total(core), call_core_active(core)));
	TEST_ASSERT(!status_calls_stale(&m, t0 + STATUS_CALLS_FRESH_MS - 1, call_core_total(core),
					call_core_active(core)));
	TEST_ASSERT(status_calls_stale(&m, t0 + STATUS_CALLS_FRESH_MS, call_core_total(core),
				       call_core_active(core)));
	/* a call placed is listed at once */
	incoming(core, &in[0], "4930100123");
	TEST_EQ(1, call_core_active(core));
	TEST_ASSERT(status_calls_stale(&m, t0 + 1, call_core_total(core), call_core_active(core)));
	m = (struct status_calls_mark){ t0 + 1, call_core_total(core), call_core_active(core) };
	TEST_ASSERT(!status_calls_stale(&m, t0 + 2, call_core_total(core), call_core_active(core)));
	/* one ends and another starts: as many calls, not the same ones */
	far_release(&in[0], 16);
	incoming(core, &in[1], "4930100124");
	TEST_EQ(1, call_core_active(core));
	TEST_ASSERT(status_calls_stale(&m, t0 + 2, call_core_total(core), call_core_active(core)));
	m = (struct status_calls_mark){ t0 + 2, call_core_total(core), call_core_active(core) };
	/* one ends */
	far_release(&in[1], 16);
	TEST_EQ(0, call_core_active(core));
	TEST_ASSERT(status_calls_stale(&m, t0 + 3, call_core_total(core), call_core_active(core)));
 out:
	call_core_destroy(core);
	route_table_unref(t);
	return err;
}
