/*
 * tg.h -- small helpers shared by every module of trunkgate: object references
 * (sofia-sip homes), the main-thread assertion and array sizes.  No state.
 */
#ifndef TG_H
#define TG_H

#include <stdbool.h>
#include <stddef.h>
#include <pthread.h>
#include <sofia-sip/su_alloc.h>

#define TG_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Drop a reference held in *pp (a refcounted su_home object) and clear it. */
#define tg_unref(pp) do { if (*(pp)) su_home_unref((su_home_t *)*(pp)); *(pp) = NULL; } while (0)

/* The main thread owns calls, legs, trunks, spans and the live config. */
extern pthread_t tg_main_thread;
extern bool tg_main_thread_set;
void tg_set_main_thread(void);
#define ASSERT_MAIN() \
	do { if (tg_main_thread_set && !pthread_equal(pthread_self(), tg_main_thread)) \
		tg_assert_main_failed(__FILE__, __LINE__); } while (0)
void tg_assert_main_failed(const char *file, int line) __attribute__((noreturn));

/* Copy src into dst of size n, always NUL-terminated; false if truncated. */
bool tg_strlcpy(char *dst, const char *src, size_t n);

/* Monotonic and wall clocks, in milliseconds. */
unsigned long long tg_now_ms(void);
long long tg_wall_ms(void);

#endif
