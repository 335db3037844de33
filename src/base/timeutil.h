/* timeutil.h -- wall-clock time, ISO 8601 formatting and calendar dates. */
#ifndef KAM_TIMEUTIL_H
#define KAM_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

/* Unix seconds now. Tests may pin it with time_set_fake(). */
int64_t time_now(void);
/* Monotonic microseconds, for durations. */
int64_t time_mono_us(void);
/* Pins time_now() to t (0 restores the real clock). For tests only. */
void time_set_fake(int64_t t);
/* "YYYY-MM-DDTHH:MM:SSZ" into out (>= 21 bytes). */
void time_iso(int64_t unix_s, char *out, size_t n);
/* 1 if y-m-d is a real Gregorian date (year 1..9999). */
int date_valid(int y, int m, int d);
/* Parses exactly "YYYY-MM-DD" (a real date) into *y,*m,*d; 0 on success, -1 otherwise. */
int date_parse(const char *s, int *y, int *m, int *d);
/* Days since 1970-01-01 of a Gregorian date (negative before). */
int64_t date_to_days(int y, int m, int d);
/* The Gregorian date of a day number (inverse of date_to_days). */
void days_to_date(int64_t days, int *y, int *m, int *d);

#endif
