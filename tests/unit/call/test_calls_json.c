/*
 * test_calls_json.c -- the live call list (daemon/status/calls_json.c), built
 * one call at a time into one text: the same document a tree of every call
 * made, {"active":N,"calls":[...]} with each call's object, for none, one
 * and several calls between fake legs.
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
