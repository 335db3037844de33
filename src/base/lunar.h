/* lunar.h -- the Chinese lunisolar calendar (农历), the 24 solar terms and the festivals KAM knows.
 *
 * Care reminders ("send the client mooncakes before 中秋") need the Gregorian date of festivals
 * that follow the Chinese calendar. Everything here is a pure function of its arguments: no I/O,
 * no allocation, no global state. Dates are civil dates in China Standard Time (UTC+8), the
 * time zone the calendar is defined in (GB/T 33661-2017).
 *
 * Ranges: lunar years LUNAR_MIN_YEAR..LUNAR_MAX_YEAR, i.e. Gregorian 1900-01-31 .. 2101-01-28;
 * solar terms and festivals for Gregorian years LUNAR_FEST_MIN_YEAR..LUNAR_FEST_MAX_YEAR.
 * Anything outside is rejected with KAM_EINVAL (or -1 where a count is returned), never
 * extrapolated. How the data were obtained is documented in lunar.c. */
#ifndef KAM_LUNAR_H
#define KAM_LUNAR_H

#include "err.h"

#define LUNAR_MIN_YEAR 1900
#define LUNAR_MAX_YEAR 2100
#define LUNAR_FEST_MIN_YEAR 1901
#define LUNAR_FEST_MAX_YEAR 2100

/* A date in the Chinese calendar. year is the Gregorian year in which its month 1 day 1
 * (正月初一) falls; month is 1..12; leap is 1 for the intercalary month (闰月) that follows the
 * ordinary month of the same number; day is 1..29 or 1..30. */
struct lunar_date {
    int year, month, day, leap;
};

/* The solar terms (节气), in the order they fall in a Gregorian year: 小寒 about January 5th
 * first, 冬至 about December 22nd last. Term t is the moment the Sun's apparent ecliptic
 * longitude reaches (285 + 15 * t) mod 360 degrees. */
enum lunar_term {
    LUNAR_XIAOHAN,     /* 小寒 285° */
    LUNAR_DAHAN,       /* 大寒 300° */
    LUNAR_LICHUN,      /* 立春 315° */
    LUNAR_YUSHUI,      /* 雨水 330° */
    LUNAR_JINGZHE,     /* 惊蛰 345° */
    LUNAR_CHUNFEN,     /* 春分   0° */
    LUNAR_QINGMING,    /* 清明  15° */
    LUNAR_GUYU,        /* 谷雨  30° */
    LUNAR_LIXIA,       /* 立夏  45° */
    LUNAR_XIAOMAN,     /* 小满  60° */
    LUNAR_MANGZHONG,   /* 芒种  75° */
    LUNAR_XIAZHI,      /* 夏至  90° */
    LUNAR_XIAOSHU,     /* 小暑 105° */
    LUNAR_DASHU,       /* 大暑 120° */
    LUNAR_LIQIU,       /* 立秋 135° */
    LUNAR_CHUSHU,      /* 处暑 150° */
    LUNAR_BAILU,       /* 白露 165° */
    LUNAR_QIUFEN,      /* 秋分 180° */
    LUNAR_HANLU,       /* 寒露 195° */
    LUNAR_SHUANGJIANG, /* 霜降 210° */
    LUNAR_LIDONG,      /* 立冬 225° */
    LUNAR_XIAOXUE,     /* 小雪 240° */
    LUNAR_DAXUE,       /* 大雪 255° */
    LUNAR_DONGZHI,     /* 冬至 270° */
    LUNAR_TERM_COUNT
};

/* One festival on its Gregorian date. key is a stable machine name ("spring_festival"); the
 * names are UTF-8. All strings are static: never freed, valid for the program's life. */
struct festival {
    int y, m, d;
    const char *key;
    const char *name_zh;    /* simplified Chinese: 春节 */
    const char *name_zh_tw; /* traditional Chinese: 春節 */
    const char *name_en;    /* English: Spring Festival */
};

/* Most festivals lunar_festivals() can return for one year (an array this size always fits). */
#define LUNAR_FESTIVALS_MAX 32

/* Number of the leap month of lunar year y (1..12: the leap month follows that month), or 0
 * when y has none. KAM_EINVAL (and *leap_out untouched) when y is outside the table. */
enum kam_err lunar_leap_month(int y, int *leap_out);

/* Days (29 or 30) in month `month` (1..12) of lunar year y; leap selects the leap month of
 * that number. KAM_EINVAL when y is outside the table, month is not 1..12, or leap is set and
 * y has no leap month `month`. */
enum kam_err lunar_month_days(int y, int month, int leap, int *days_out);

/* Converts a lunar date to the Gregorian date of the same day. KAM_EINVAL (outputs untouched)
 * when the lunar date does not exist (see lunar_month_days) or is outside the table. */
enum kam_err lunar_to_gregorian(const struct lunar_date *ld, int *y_out, int *m_out, int *d_out);

/* Converts the Gregorian date y-m-d to the lunar date of the same day. KAM_EINVAL (out
 * untouched) when y-m-d is not a real date or lies outside 1900-01-31 .. 2101-01-28. */
enum kam_err lunar_from_gregorian(int y, int m, int d, struct lunar_date *out);

/* The Gregorian date (China Standard Time) on which solar term `term` falls in Gregorian year
 * y. Computed astronomically (see lunar.c); right to the day except, possibly, when the moment
 * is within about a minute of midnight. KAM_EINVAL when y is outside
 * LUNAR_MIN_YEAR..LUNAR_MAX_YEAR or term is not a valid enum lunar_term. */
enum kam_err lunar_solar_term(int y, enum lunar_term term, int *m_out, int *d_out);

/* Every festival KAM knows whose Gregorian date falls in year y, in date order (festivals on
 * the same day keep the order of the table in lunar.c). Writes the first min(n, max) of them to
 * out and returns n, the number the year has (at most LUNAR_FESTIVALS_MAX), so a caller may size
 * its array first with max 0. Returns -1 when y is outside
 * LUNAR_FEST_MIN_YEAR..LUNAR_FEST_MAX_YEAR, max < 0, or out is NULL while max > 0.
 *
 * Keys: new_year (1 Jan), chuxi (除夕, the last day of the lunar year), spring_festival (正月
 * 初一), lantern (正月十五), qingming (solar term), labour_day (1 May), dragon_boat (五月初五),
 * qixi (七月初七), mid_autumn (八月十五), national_day (1 Oct), double_ninth (九月初九, 重阳),
 * dongzhi (solar term), laba (腊月初八), xiaonian (腊月廿三), christmas (25 Dec). A festival in a
 * lunar month is held in the ordinary month, never in a leap month of the same number; chuxi,
 * laba and xiaonian of the previous lunar year fall in January or February. */
int lunar_festivals(int y, struct festival *out, int max);

/* The names of the festival with key `key` (static strings): 1, or 0 (outputs untouched) when
 * KAM knows no such festival. Any output may be NULL. */
int lunar_festival_names(const char *key, const char **zh, const char **zh_tw, const char **en);

#endif
