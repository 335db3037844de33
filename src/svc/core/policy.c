/* policy.c -- the permission table (role x object x action) and the scope queries. */
#include "policy.h"

#include "store/db.h"
#include "store/sqlb.h"
#include "user.h"

#include <string.h>

#define N GRANT_NONE
#define S GRANT_SCOPE
#define A GRANT_ALL

/* [role][object][read, create, update, delete]. docs/API.md shows the same table for people. */
static const unsigned char table[ROLE_COUNT][OBJ_COUNT][ACT_COUNT] = {
    [ROLE_ADMIN] =
        {
            [OBJ_PUBLIC] = {A, A, A, A},         [OBJ_SELF] = {A, A, A, A},
            [OBJ_ACCOUNT] = {A, A, A, A},        [OBJ_CONTACT] = {A, A, A, A},
            [OBJ_MEMBER] = {A, A, A, A},         [OBJ_AUDIT] = {A, N, N, N},
            [OBJ_USER] = {A, A, A, A},           [OBJ_TEAM] = {A, A, A, A},
            [OBJ_INTERACTION] = {A, A, A, A},    [OBJ_VISIT] = {A, A, A, A},
            [OBJ_CARE] = {A, A, A, A},           [OBJ_ISSUE] = {A, A, A, A},
            [OBJ_CONFIG] = {A, A, A, A},         [OBJ_PRODUCT] = {A, A, A, N},
            [OBJ_SALES] = {A, A, A, A},          [OBJ_IMPORT] = {A, A, N, N},
            [OBJ_TARGET] = {A, A, A, A},         [OBJ_APPROVAL] = {N, N, N, N},
            [OBJ_PROPOSAL] = {A, A, A, A},       [OBJ_MEASURE] = {A, A, A, A},
            [OBJ_NEED] = {A, A, A, A},           [OBJ_NEED_STATUS] = {A, A, A, A},
            [OBJ_INTERVIEW] = {A, A, A, A},      [OBJ_SURVEY] = {A, A, A, A},
            [OBJ_SURVEY_LINK] = {A, A, A, A},    [OBJ_SURVEY_RESPONSE] = {A, A, N, A},
            [OBJ_SATISFACTION] = {A, N, N, N},   [OBJ_FOLLOW_UP] = {A, A, A, A},
            [OBJ_PRICING] = {A, A, A, A},        [OBJ_OPPORTUNITY] = {A, A, A, A},
            [OBJ_OFFER] = {A, A, A, A},          [OBJ_CATALOG] = {A, A, A, A},
            [OBJ_DISCOUNT] = {A, A, N, N},       [OBJ_RISK] = {A, A, A, A},
            [OBJ_GIFT] = {A, A, A, A},           [OBJ_CREDIT] = {A, A, A, A},
            [OBJ_RECEIVABLE] = {A, A, A, A},     [OBJ_COMPETITOR] = {A, A, A, A},
            [OBJ_COMPETITION] = {A, A, A, A},    [OBJ_ALERT] = {A, A, A, A},
            [OBJ_CONTRACT] = {A, A, A, A},       [OBJ_BREACH] = {A, A, A, A},
            [OBJ_DISPUTE] = {A, A, A, A},        [OBJ_LESSON] = {A, A, A, A},
            [OBJ_ACCOUNTABILITY] = {A, A, A, A}, [OBJ_TRAINING] = {A, A, A, A},
            [OBJ_COMPETENCY] = {A, A, A, A},     [OBJ_ASSESSMENT] = {A, A, A, A},
            [OBJ_CANDIDATE] = {A, A, A, A},      [OBJ_COURSE] = {A, A, A, A},
            [OBJ_ENROLMENT] = {A, A, A, A},      [OBJ_SCHEME] = {A, A, A, A},
            [OBJ_SCORECARD] = {A, A, A, A},      [OBJ_COMMISSION] = {A, A, A, A},
            [OBJ_PAYOUT] = {A, A, A, A},
        },
    [ROLE_DIRECTOR] =
        {
            [OBJ_PUBLIC] = {A, A, A, A},         [OBJ_SELF] = {A, A, A, A},
            [OBJ_ACCOUNT] = {A, A, A, A},        [OBJ_CONTACT] = {A, A, A, A},
            [OBJ_MEMBER] = {A, A, A, A},         [OBJ_AUDIT] = {A, N, N, N},
            [OBJ_USER] = {A, N, N, N},           [OBJ_TEAM] = {A, N, N, N},
            [OBJ_INTERACTION] = {A, A, A, A},    [OBJ_VISIT] = {A, A, A, A},
            [OBJ_CARE] = {A, A, A, A},           [OBJ_ISSUE] = {A, A, A, A},
            [OBJ_CONFIG] = {A, A, A, A},         [OBJ_PRODUCT] = {A, A, A, N},
            [OBJ_SALES] = {A, A, A, A},          [OBJ_IMPORT] = {A, A, N, N},
            [OBJ_TARGET] = {A, A, A, A},         [OBJ_APPROVAL] = {A, A, A, A},
            [OBJ_PROPOSAL] = {A, A, A, A},       [OBJ_MEASURE] = {A, A, A, A},
            [OBJ_NEED] = {A, A, A, A},           [OBJ_NEED_STATUS] = {A, A, A, A},
            [OBJ_INTERVIEW] = {A, A, A, A},      [OBJ_SURVEY] = {A, A, A, A},
            [OBJ_SURVEY_LINK] = {A, A, A, A},    [OBJ_SURVEY_RESPONSE] = {A, A, N, N},
            [OBJ_SATISFACTION] = {A, N, N, N},   [OBJ_FOLLOW_UP] = {A, A, A, A},
            [OBJ_PRICING] = {A, A, A, A},        [OBJ_OPPORTUNITY] = {A, A, A, A},
            [OBJ_OFFER] = {A, A, A, A},          [OBJ_CATALOG] = {A, A, A, A},
            [OBJ_DISCOUNT] = {A, A, A, A},       [OBJ_RISK] = {A, A, A, A},
            [OBJ_GIFT] = {A, A, A, A},           [OBJ_CREDIT] = {A, N, N, N},
            [OBJ_RECEIVABLE] = {A, N, N, N},     [OBJ_COMPETITOR] = {A, A, A, A},
            [OBJ_COMPETITION] = {A, A, A, A},    [OBJ_ALERT] = {A, A, A, A},
            [OBJ_CONTRACT] = {A, A, A, A},       [OBJ_BREACH] = {A, A, A, N},
            [OBJ_DISPUTE] = {A, A, A, A},        [OBJ_LESSON] = {A, A, A, A},
            [OBJ_ACCOUNTABILITY] = {A, A, A, A}, [OBJ_TRAINING] = {A, A, A, A},
            [OBJ_COMPETENCY] = {A, N, N, N},     [OBJ_ASSESSMENT] = {A, A, A, N},
            [OBJ_CANDIDATE] = {A, A, A, N},      [OBJ_COURSE] = {A, N, N, N},
            [OBJ_ENROLMENT] = {A, A, A, N},      [OBJ_SCHEME] = {A, N, N, N},
            [OBJ_SCORECARD] = {A, A, A, N},      [OBJ_COMMISSION] = {A, A, A, N},
            [OBJ_PAYOUT] = {A, N, N, N},
        },
    [ROLE_FINANCE] =
        {
            [OBJ_PUBLIC] = {A, A, A, A},         [OBJ_SELF] = {A, A, A, A},
            [OBJ_ACCOUNT] = {A, N, N, N},        [OBJ_CONTACT] = {A, N, N, N},
            [OBJ_MEMBER] = {A, N, N, N},         [OBJ_AUDIT] = {A, N, N, N},
            [OBJ_USER] = {A, N, N, N},           [OBJ_TEAM] = {A, N, N, N},
            [OBJ_INTERACTION] = {A, N, N, N},    [OBJ_VISIT] = {A, N, N, N},
            [OBJ_CARE] = {A, N, N, N},           [OBJ_ISSUE] = {A, N, N, N},
            [OBJ_CONFIG] = {A, N, N, N},         [OBJ_PRODUCT] = {A, A, A, N},
            [OBJ_SALES] = {A, A, A, A},          [OBJ_IMPORT] = {A, A, N, N},
            [OBJ_TARGET] = {A, N, N, N},         [OBJ_APPROVAL] = {N, N, N, N},
            [OBJ_PROPOSAL] = {A, N, N, N},       [OBJ_MEASURE] = {A, N, N, N},
            [OBJ_NEED] = {A, N, N, N},           [OBJ_NEED_STATUS] = {A, N, N, N},
            [OBJ_INTERVIEW] = {A, N, N, N},      [OBJ_SURVEY] = {A, N, N, N},
            [OBJ_SURVEY_LINK] = {N, N, N, N},    [OBJ_SURVEY_RESPONSE] = {N, N, N, N},
            [OBJ_SATISFACTION] = {A, N, N, N},   [OBJ_FOLLOW_UP] = {N, N, N, N},
            [OBJ_PRICING] = {A, A, A, A},        [OBJ_OPPORTUNITY] = {A, N, N, N},
            [OBJ_OFFER] = {A, N, N, N},          [OBJ_CATALOG] = {A, A, A, A},
            [OBJ_DISCOUNT] = {A, N, A, N},       [OBJ_RISK] = {A, A, A, N},
            [OBJ_GIFT] = {A, N, A, N},           [OBJ_CREDIT] = {A, A, A, A},
            [OBJ_RECEIVABLE] = {A, A, A, A},     [OBJ_COMPETITOR] = {A, N, N, N},
            [OBJ_COMPETITION] = {A, N, N, N},    [OBJ_ALERT] = {A, N, A, N},
            [OBJ_CONTRACT] = {A, A, A, N},       [OBJ_BREACH] = {A, N, A, N},
            [OBJ_DISPUTE] = {A, A, A, N},        [OBJ_LESSON] = {A, A, A, N},
            [OBJ_ACCOUNTABILITY] = {N, N, N, N}, [OBJ_TRAINING] = {N, N, N, N},
            [OBJ_COMPETENCY] = {A, N, N, N},     [OBJ_ASSESSMENT] = {N, N, N, N},
            [OBJ_CANDIDATE] = {N, N, N, N},      [OBJ_COURSE] = {A, N, N, N},
            [OBJ_ENROLMENT] = {S, S, S, N},      [OBJ_SCHEME] = {A, N, N, N},
            [OBJ_SCORECARD] = {S, N, S, N},      [OBJ_COMMISSION] = {A, A, A, N},
            [OBJ_PAYOUT] = {A, A, A, N},
        },
    [ROLE_TEAM_LEAD] =
        {
            [OBJ_PUBLIC] = {A, A, A, A},         [OBJ_SELF] = {A, A, A, A},
            [OBJ_ACCOUNT] = {S, S, S, S},        [OBJ_CONTACT] = {S, S, S, S},
            [OBJ_MEMBER] = {S, S, S, S},         [OBJ_AUDIT] = {S, N, N, N},
            [OBJ_USER] = {A, N, N, N},           [OBJ_TEAM] = {A, N, N, N},
            [OBJ_INTERACTION] = {S, S, S, S},    [OBJ_VISIT] = {S, S, S, S},
            [OBJ_CARE] = {S, S, S, S},           [OBJ_ISSUE] = {S, S, S, S},
            [OBJ_CONFIG] = {A, N, N, N},         [OBJ_PRODUCT] = {A, N, N, N},
            [OBJ_SALES] = {S, N, N, N},          [OBJ_IMPORT] = {N, N, N, N},
            [OBJ_TARGET] = {S, N, N, N},         [OBJ_APPROVAL] = {N, N, N, N},
            [OBJ_PROPOSAL] = {S, S, S, S},       [OBJ_MEASURE] = {S, S, S, S},
            [OBJ_NEED] = {S, S, S, S},           [OBJ_NEED_STATUS] = {S, N, S, N},
            [OBJ_INTERVIEW] = {S, S, S, S},      [OBJ_SURVEY] = {A, A, A, N},
            [OBJ_SURVEY_LINK] = {S, S, S, S},    [OBJ_SURVEY_RESPONSE] = {S, S, N, N},
            [OBJ_SATISFACTION] = {S, N, N, N},   [OBJ_FOLLOW_UP] = {S, S, S, S},
            [OBJ_PRICING] = {A, N, N, N},        [OBJ_OPPORTUNITY] = {S, S, S, S},
            [OBJ_OFFER] = {S, S, S, S},          [OBJ_CATALOG] = {A, N, N, N},
            [OBJ_DISCOUNT] = {S, S, S, S},       [OBJ_RISK] = {S, S, S, S},
            [OBJ_GIFT] = {S, S, S, S},           [OBJ_CREDIT] = {S, N, N, N},
            [OBJ_RECEIVABLE] = {S, N, N, N},     [OBJ_COMPETITOR] = {A, A, A, N},
            [OBJ_COMPETITION] = {S, S, S, S},    [OBJ_ALERT] = {S, N, S, N},
            [OBJ_CONTRACT] = {S, N, N, N},       [OBJ_BREACH] = {S, N, N, N},
            [OBJ_DISPUTE] = {S, S, S, N},        [OBJ_LESSON] = {S, S, S, N},
            [OBJ_ACCOUNTABILITY] = {S, N, N, N}, [OBJ_TRAINING] = {S, S, N, N},
            [OBJ_COMPETENCY] = {A, N, N, N},     [OBJ_ASSESSMENT] = {S, S, S, N},
            [OBJ_CANDIDATE] = {A, A, A, N},      [OBJ_COURSE] = {A, N, N, N},
            [OBJ_ENROLMENT] = {S, S, S, S},      [OBJ_SCHEME] = {A, N, N, N},
            [OBJ_SCORECARD] = {S, S, S, N},      [OBJ_COMMISSION] = {A, N, N, N},
            [OBJ_PAYOUT] = {S, N, N, N},
        },
    [ROLE_ACCOUNT_MANAGER] =
        {
            [OBJ_PUBLIC] = {A, A, A, A},         [OBJ_SELF] = {A, A, A, A},
            [OBJ_ACCOUNT] = {S, S, S, N},        [OBJ_CONTACT] = {S, S, S, S},
            [OBJ_MEMBER] = {S, S, S, S},         [OBJ_AUDIT] = {S, N, N, N},
            [OBJ_USER] = {A, N, N, N},           [OBJ_TEAM] = {A, N, N, N},
            [OBJ_INTERACTION] = {S, S, S, S},    [OBJ_VISIT] = {S, S, S, S},
            [OBJ_CARE] = {S, S, S, S},           [OBJ_ISSUE] = {S, S, S, N},
            [OBJ_CONFIG] = {A, N, N, N},         [OBJ_PRODUCT] = {A, N, N, N},
            [OBJ_SALES] = {S, N, N, N},          [OBJ_IMPORT] = {N, N, N, N},
            [OBJ_TARGET] = {S, N, N, N},         [OBJ_APPROVAL] = {N, N, N, N},
            [OBJ_PROPOSAL] = {S, S, S, S},       [OBJ_MEASURE] = {S, S, S, N},
            [OBJ_NEED] = {S, S, S, S},           [OBJ_NEED_STATUS] = {S, N, S, N},
            [OBJ_INTERVIEW] = {S, S, S, S},      [OBJ_SURVEY] = {A, N, N, N},
            [OBJ_SURVEY_LINK] = {S, S, S, N},    [OBJ_SURVEY_RESPONSE] = {S, S, N, N},
            [OBJ_SATISFACTION] = {S, N, N, N},   [OBJ_FOLLOW_UP] = {S, S, S, N},
            [OBJ_PRICING] = {A, N, N, N},        [OBJ_OPPORTUNITY] = {S, S, S, S},
            [OBJ_OFFER] = {S, S, S, S},          [OBJ_CATALOG] = {A, N, N, N},
            [OBJ_DISCOUNT] = {S, S, N, S},       [OBJ_RISK] = {S, S, S, N},
            [OBJ_GIFT] = {S, S, S, N},           [OBJ_CREDIT] = {S, N, N, N},
            [OBJ_RECEIVABLE] = {S, N, N, N},     [OBJ_COMPETITOR] = {A, A, A, N},
            [OBJ_COMPETITION] = {S, S, S, S},    [OBJ_ALERT] = {S, N, S, N},
            [OBJ_CONTRACT] = {S, N, N, N},       [OBJ_BREACH] = {S, N, N, N},
            [OBJ_DISPUTE] = {S, S, N, N},        [OBJ_LESSON] = {S, S, S, N},
            [OBJ_ACCOUNTABILITY] = {N, N, N, N}, [OBJ_TRAINING] = {N, N, N, N},
            [OBJ_COMPETENCY] = {A, N, N, N},     [OBJ_ASSESSMENT] = {S, S, S, N},
            [OBJ_CANDIDATE] = {N, N, N, N},      [OBJ_COURSE] = {A, N, N, N},
            [OBJ_ENROLMENT] = {S, S, S, N},      [OBJ_SCHEME] = {A, N, N, N},
            [OBJ_SCORECARD] = {S, N, S, N},      [OBJ_COMMISSION] = {A, N, N, N},
            [OBJ_PAYOUT] = {S, N, N, N},
        },
    [ROLE_SERVICE] =
        {
            [OBJ_PUBLIC] = {A, A, A, A},         [OBJ_SELF] = {A, A, A, A},
            [OBJ_ACCOUNT] = {S, N, N, N},        [OBJ_CONTACT] = {S, S, S, S},
            [OBJ_MEMBER] = {S, N, N, N},         [OBJ_AUDIT] = {S, N, N, N},
            [OBJ_USER] = {A, N, N, N},           [OBJ_TEAM] = {A, N, N, N},
            [OBJ_INTERACTION] = {S, S, S, N},    [OBJ_VISIT] = {S, S, S, N},
            [OBJ_CARE] = {S, S, S, N},           [OBJ_ISSUE] = {S, S, S, N},
            [OBJ_CONFIG] = {A, N, N, N},         [OBJ_PRODUCT] = {A, N, N, N},
            [OBJ_SALES] = {S, N, N, N},          [OBJ_IMPORT] = {N, N, N, N},
            [OBJ_TARGET] = {N, N, N, N},         [OBJ_APPROVAL] = {N, N, N, N},
            [OBJ_PROPOSAL] = {N, N, N, N},       [OBJ_MEASURE] = {S, N, N, N},
            [OBJ_NEED] = {S, N, N, N},           [OBJ_NEED_STATUS] = {S, N, S, N},
            [OBJ_INTERVIEW] = {S, N, N, N},      [OBJ_SURVEY] = {A, N, N, N},
            [OBJ_SURVEY_LINK] = {S, N, N, N},    [OBJ_SURVEY_RESPONSE] = {S, S, N, N},
            [OBJ_SATISFACTION] = {S, N, N, N},   [OBJ_FOLLOW_UP] = {S, S, S, N},
            [OBJ_PRICING] = {A, N, N, N},        [OBJ_OPPORTUNITY] = {S, N, N, N},
            [OBJ_OFFER] = {S, N, N, N},          [OBJ_CATALOG] = {A, N, N, N},
            [OBJ_DISCOUNT] = {N, N, N, N},       [OBJ_RISK] = {S, S, S, N},
            [OBJ_GIFT] = {S, S, N, N},           [OBJ_CREDIT] = {N, N, N, N},
            [OBJ_RECEIVABLE] = {N, N, N, N},     [OBJ_COMPETITOR] = {A, N, N, N},
            [OBJ_COMPETITION] = {S, S, N, N},    [OBJ_ALERT] = {S, N, S, N},
            [OBJ_CONTRACT] = {S, N, N, N},       [OBJ_BREACH] = {S, N, N, N},
            [OBJ_DISPUTE] = {N, N, N, N},        [OBJ_LESSON] = {S, S, N, N},
            [OBJ_ACCOUNTABILITY] = {N, N, N, N}, [OBJ_TRAINING] = {N, N, N, N},
            [OBJ_COMPETENCY] = {A, N, N, N},     [OBJ_ASSESSMENT] = {S, S, S, N},
            [OBJ_CANDIDATE] = {N, N, N, N},      [OBJ_COURSE] = {A, N, N, N},
            [OBJ_ENROLMENT] = {S, S, S, N},      [OBJ_SCHEME] = {A, N, N, N},
            [OBJ_SCORECARD] = {S, N, S, N},      [OBJ_COMMISSION] = {N, N, N, N},
            [OBJ_PAYOUT] = {N, N, N, N},
        },
    [ROLE_HR] =
        {
            [OBJ_PUBLIC] = {A, A, A, A},      [OBJ_SELF] = {A, A, A, A},
            [OBJ_USER] = {A, A, A, A},        [OBJ_TEAM] = {A, A, A, A},
            [OBJ_CONFIG] = {A, N, N, N},      [OBJ_PRICING] = {A, N, N, N},
            [OBJ_OPPORTUNITY] = {N, N, N, N}, [OBJ_OFFER] = {N, N, N, N},
            [OBJ_CATALOG] = {A, N, N, N},     [OBJ_DISCOUNT] = {N, N, N, N},
            [OBJ_RISK] = {N, N, N, N},        [OBJ_GIFT] = {N, N, N, N},
            [OBJ_CREDIT] = {N, N, N, N},      [OBJ_RECEIVABLE] = {N, N, N, N},
            [OBJ_COMPETITOR] = {N, N, N, N},  [OBJ_COMPETITION] = {N, N, N, N},
            [OBJ_ALERT] = {N, N, N, N},       [OBJ_CONTRACT] = {N, N, N, N},
            [OBJ_BREACH] = {N, N, N, N},      [OBJ_DISPUTE] = {N, N, N, N},
            [OBJ_LESSON] = {A, N, N, N},      [OBJ_ACCOUNTABILITY] = {A, N, N, N},
            [OBJ_TRAINING] = {A, A, A, A},    [OBJ_COMPETENCY] = {A, A, A, A},
            [OBJ_ASSESSMENT] = {A, A, A, A},  [OBJ_CANDIDATE] = {A, A, A, A},
            [OBJ_COURSE] = {A, A, A, A},      [OBJ_ENROLMENT] = {A, A, A, A},
            [OBJ_SCHEME] = {A, A, A, A},      [OBJ_SCORECARD] = {A, A, A, A},
            [OBJ_COMMISSION] = {A, A, A, N},  [OBJ_PAYOUT] = {A, A, N, N},
        },
    [ROLE_VIEWER] =
        {
            [OBJ_PUBLIC] = {A, A, A, A},         [OBJ_SELF] = {A, A, A, A},
            [OBJ_ACCOUNT] = {S, N, N, N},        [OBJ_CONTACT] = {S, N, N, N},
            [OBJ_MEMBER] = {S, N, N, N},         [OBJ_AUDIT] = {S, N, N, N},
            [OBJ_USER] = {A, N, N, N},           [OBJ_TEAM] = {A, N, N, N},
            [OBJ_INTERACTION] = {S, N, N, N},    [OBJ_VISIT] = {S, N, N, N},
            [OBJ_CARE] = {S, N, N, N},           [OBJ_ISSUE] = {S, N, N, N},
            [OBJ_CONFIG] = {A, N, N, N},         [OBJ_PRODUCT] = {A, N, N, N},
            [OBJ_SALES] = {S, N, N, N},          [OBJ_IMPORT] = {N, N, N, N},
            [OBJ_TARGET] = {S, N, N, N},         [OBJ_APPROVAL] = {N, N, N, N},
            [OBJ_PROPOSAL] = {S, N, N, N},       [OBJ_MEASURE] = {S, N, N, N},
            [OBJ_NEED] = {S, N, N, N},           [OBJ_NEED_STATUS] = {S, N, N, N},
            [OBJ_INTERVIEW] = {S, N, N, N},      [OBJ_SURVEY] = {A, N, N, N},
            [OBJ_SURVEY_LINK] = {S, N, N, N},    [OBJ_SURVEY_RESPONSE] = {N, N, N, N},
            [OBJ_SATISFACTION] = {S, N, N, N},   [OBJ_FOLLOW_UP] = {S, N, N, N},
            [OBJ_PRICING] = {A, N, N, N},        [OBJ_OPPORTUNITY] = {S, N, N, N},
            [OBJ_OFFER] = {S, N, N, N},          [OBJ_CATALOG] = {A, N, N, N},
            [OBJ_DISCOUNT] = {N, N, N, N},       [OBJ_RISK] = {S, N, N, N},
            [OBJ_GIFT] = {N, N, N, N},           [OBJ_CREDIT] = {N, N, N, N},
            [OBJ_RECEIVABLE] = {N, N, N, N},     [OBJ_COMPETITOR] = {A, N, N, N},
            [OBJ_COMPETITION] = {S, N, N, N},    [OBJ_ALERT] = {S, N, N, N},
            [OBJ_CONTRACT] = {S, N, N, N},       [OBJ_BREACH] = {N, N, N, N},
            [OBJ_DISPUTE] = {N, N, N, N},        [OBJ_LESSON] = {S, N, N, N},
            [OBJ_ACCOUNTABILITY] = {N, N, N, N}, [OBJ_TRAINING] = {N, N, N, N},
            [OBJ_COMPETENCY] = {A, N, N, N},     [OBJ_ASSESSMENT] = {N, N, N, N},
            [OBJ_CANDIDATE] = {N, N, N, N},      [OBJ_COURSE] = {A, N, N, N},
            [OBJ_ENROLMENT] = {N, N, N, N},      [OBJ_SCHEME] = {A, N, N, N},
            [OBJ_SCORECARD] = {N, N, N, N},      [OBJ_COMMISSION] = {N, N, N, N},
            [OBJ_PAYOUT] = {N, N, N, N},
        },
    /* Legal (issue 17): reads what finance reads, org-wide, and writes nothing outside
     * the contracts chapter (docs/API.md "Roles"). */
    [ROLE_LEGAL] =
        {
            [OBJ_PUBLIC] = {A, A, A, A},         [OBJ_SELF] = {A, A, A, A},
            [OBJ_ACCOUNT] = {A, N, N, N},        [OBJ_CONTACT] = {A, N, N, N},
            [OBJ_MEMBER] = {A, N, N, N},         [OBJ_AUDIT] = {A, N, N, N},
            [OBJ_USER] = {A, N, N, N},           [OBJ_TEAM] = {A, N, N, N},
            [OBJ_INTERACTION] = {A, N, N, N},    [OBJ_VISIT] = {A, N, N, N},
            [OBJ_CARE] = {A, N, N, N},           [OBJ_ISSUE] = {A, N, N, N},
            [OBJ_CONFIG] = {A, N, N, N},         [OBJ_PRODUCT] = {A, N, N, N},
            [OBJ_SALES] = {A, N, N, N},          [OBJ_IMPORT] = {A, N, N, N},
            [OBJ_TARGET] = {A, N, N, N},         [OBJ_APPROVAL] = {N, N, N, N},
            [OBJ_PROPOSAL] = {A, N, N, N},       [OBJ_MEASURE] = {A, N, N, N},
            [OBJ_NEED] = {A, N, N, N},           [OBJ_NEED_STATUS] = {A, N, N, N},
            [OBJ_INTERVIEW] = {A, N, N, N},      [OBJ_SURVEY] = {A, N, N, N},
            [OBJ_SURVEY_LINK] = {N, N, N, N},    [OBJ_SURVEY_RESPONSE] = {N, N, N, N},
            [OBJ_SATISFACTION] = {A, N, N, N},   [OBJ_FOLLOW_UP] = {N, N, N, N},
            [OBJ_PRICING] = {A, N, N, N},        [OBJ_OPPORTUNITY] = {A, N, N, N},
            [OBJ_OFFER] = {A, N, N, N},          [OBJ_CATALOG] = {A, N, N, N},
            [OBJ_DISCOUNT] = {A, N, N, N},       [OBJ_RISK] = {A, N, N, N},
            [OBJ_GIFT] = {A, N, N, N},           [OBJ_CREDIT] = {A, N, N, N},
            [OBJ_RECEIVABLE] = {A, N, N, N},     [OBJ_COMPETITOR] = {A, N, N, N},
            [OBJ_COMPETITION] = {A, N, N, N},    [OBJ_ALERT] = {A, N, N, N},
            [OBJ_CONTRACT] = {A, A, A, A},       [OBJ_BREACH] = {A, A, A, N},
            [OBJ_DISPUTE] = {A, A, A, A},        [OBJ_LESSON] = {A, A, A, A},
            [OBJ_ACCOUNTABILITY] = {A, A, A, A}, [OBJ_TRAINING] = {A, A, N, N},
            [OBJ_COMPETENCY] = {A, N, N, N},     [OBJ_ASSESSMENT] = {N, N, N, N},
            [OBJ_CANDIDATE] = {N, N, N, N},      [OBJ_COURSE] = {A, N, N, N},
            [OBJ_ENROLMENT] = {S, S, S, N},      [OBJ_SCHEME] = {A, N, N, N},
            [OBJ_SCORECARD] = {S, N, S, N},      [OBJ_COMMISSION] = {N, N, N, N},
            [OBJ_PAYOUT] = {N, N, N, N},
        },
};

#undef N
#undef S
#undef A

enum grant policy_grant(enum role r, enum obj o, enum act a)
{
    if ((unsigned)r >= ROLE_COUNT || (unsigned)o >= OBJ_COUNT || (unsigned)a >= ACT_COUNT)
        return GRANT_NONE;
    return (enum grant)table[r][o][a];
}

enum decision policy_decide(enum role r, enum obj o, enum act a, enum scope_kind k, int in_scope)
{
    enum grant g = policy_grant(r, o, a);
    if (k == SCOPE_NONE)
        return g != GRANT_NONE ? DECIDE_ALLOW : DECIDE_FORBID;
    if (g == GRANT_ALL || (g == GRANT_SCOPE && in_scope))
        return DECIDE_ALLOW;
    if (policy_scope_is_person(k)) {
        /* A record about a person: those who may read it see a 403, anyone else a 404 (nobody
         * learns that another person's scorecard or statement exists). */
        enum grant rg = policy_grant(r, o, ACT_READ);
        return rg == GRANT_ALL || (rg == GRANT_SCOPE && in_scope) ? DECIDE_FORBID : DECIDE_HIDE;
    }
    /* May the caller at least know the record? Readers of the account see a 403. */
    enum grant rg = policy_grant(r, OBJ_ACCOUNT, ACT_READ);
    if (rg == GRANT_ALL || (rg == GRANT_SCOPE && in_scope))
        return DECIDE_FORBID;
    return DECIDE_HIDE;
}

int policy_list_scoped(const struct principal *who)
{
    return policy_grant(who->role, OBJ_ACCOUNT, ACT_READ) != GRANT_ALL;
}

int policy_scope_with(struct kam_ctx *ctx, struct sqlb *b)
{
    if (!policy_list_scoped(&ctx->who))
        return 0;
    sqlb_sql(b, POLICY_SCOPE_WITH);
    sqlb_i64(b, ctx->who.user_id);
    sqlb_i64(b, ctx->who.user_id);
    return 1;
}

/* Whether account_id is in the record scope of user uid (owner, account team, or a manager up
 * the team tree of either); *exists_out whether the account exists at all. */
static enum kam_err scope_of_user(struct kam_ctx *ctx, int64_t uid, int64_t account_id,
                                  int *in_scope, int *exists_out)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db, POLICY_SCOPE_WITH "SELECT " POLICY_SCOPE_COND " FROM accounts WHERE id = ?", &st,
        ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, uid);
    db_bind_i64(st, 2, uid);
    db_bind_i64(st, 3, account_id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    *exists_out = !rc && row;
    *in_scope = !rc && row && db_col_i64(st, 0) != 0;
    db_done(st);
    return rc;
}

enum kam_err policy_account_in_scope(struct kam_ctx *ctx, int64_t account_id, int *in_scope)
{
    struct db_stmt *st;
    enum kam_err rc;
    int row = 0;
    if (!policy_list_scoped(&ctx->who)) {
        rc = db_prepare(ctx->db, "SELECT 1 FROM accounts WHERE id = ?", &st, ctx->err);
        if (rc)
            return rc;
        db_bind_i64(st, 1, account_id);
        rc = db_step(st, &row, ctx->err);
        db_done(st);
        if (rc)
            return rc;
        if (!row)
            return kam_fail(ctx->err, KAM_ENOTFOUND, "id", "no such account");
        *in_scope = 1;
        return KAM_OK;
    }
    if ((rc = scope_of_user(ctx, ctx->who.user_id, account_id, in_scope, &row)))
        return rc;
    if (!row)
        return kam_fail(ctx->err, KAM_ENOTFOUND, "id", "no such account");
    return KAM_OK;
}

enum kam_err policy_body_account(struct kam_ctx *ctx, const char *field, int64_t account_id,
                                 enum obj o, enum act a)
{
    int in = 0;
    enum kam_err rc = policy_account_in_scope(ctx, account_id, &in);
    if (rc && rc != KAM_ENOTFOUND)
        return rc;
    /* Missing, or one the caller may not read: one answer, so it tells nothing. */
    if (rc || !in) {
        kam_error_clear(ctx->err);
        return kam_fail(ctx->err, KAM_EINVAL, field, "no such account");
    }
    /* Readable: a refusal now tells nothing the caller could not read anyway. An org-wide
     * reader with a scoped grant for o x a needs the account in their record scope. */
    enum grant g = policy_grant(ctx->who.role, o, a);
    int exists = 1;
    if (g == GRANT_SCOPE && !policy_list_scoped(&ctx->who) &&
        (rc = scope_of_user(ctx, ctx->who.user_id, account_id, &in, &exists)))
        return rc;
    if (g == GRANT_NONE || !in)
        return kam_fail(ctx->err, KAM_EFORBIDDEN, field,
                        "you may not %s %s records of this account", act_name(a), obj_name(o));
    return KAM_OK;
}

enum kam_err policy_user_may(struct kam_ctx *ctx, int64_t user_id, enum obj o, enum act a,
                             int64_t account_id, int *yes)
{
    *yes = 0;
    struct db_stmt *st;
    enum kam_err rc =
        db_prepare(ctx->db, "SELECT role, disabled FROM users WHERE id = ?", &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, user_id);
    int row = 0;
    enum role r = ROLE_NONE;
    int disabled = 1;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row) {
        r = role_parse(db_col_text(st, 0));
        disabled = db_col_i64(st, 1) != 0;
    }
    db_done(st);
    if (rc || !row || disabled)
        return rc;
    enum grant g = policy_grant(r, o, a);
    if (g == GRANT_NONE)
        return KAM_OK;
    if (g == GRANT_ALL || account_id == 0) {
        *yes = 1;
        return KAM_OK;
    }
    int exists = 0;
    return scope_of_user(ctx, user_id, account_id, yes, &exists);
}

enum kam_err policy_manages_user(struct kam_ctx *ctx, int64_t user_id, int *yes)
{
    if (user_id == ctx->who.user_id) {
        *yes = 1;
        return KAM_OK;
    }
    struct db_stmt *st;
    enum kam_err rc =
        db_prepare(ctx->db, POLICY_SCOPE_WITH "SELECT EXISTS (SELECT 1 FROM sub WHERE uid = ?)",
                   &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, ctx->who.user_id);
    db_bind_i64(st, 2, ctx->who.user_id);
    db_bind_i64(st, 3, user_id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    *yes = !rc && row && db_col_i64(st, 0);
    db_done(st);
    return rc;
}

static enum kam_err collect_ids(struct kam_ctx *ctx, const char *sql, int64_t **out, size_t *n)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db, sql, &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, ctx->who.user_id);
    db_bind_i64(st, 2, ctx->who.user_id);
    size_t cap = 16;
    *out = arena_calloc(ctx->a, cap, sizeof **out);
    *n = 0;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        if (*n == cap) {
            int64_t *w = arena_calloc(ctx->a, cap * 2, sizeof *w);
            memcpy(w, *out, *n * sizeof *w);
            *out = w;
            cap *= 2;
        }
        (*out)[(*n)++] = db_col_i64(st, 0);
    }
    db_done(st);
    return rc;
}

enum kam_err policy_kpi_lines(struct kam_ctx *ctx, struct policy_lines *out)
{
    memset(out, 0, sizeof *out);
    if (!policy_list_scoped(&ctx->who)) {
        out->all = 1;
        return KAM_OK;
    }
    enum kam_err rc = collect_ids(ctx, POLICY_SCOPE_WITH "SELECT uid FROM sub ORDER BY uid",
                                  &out->users, &out->n_users);
    if (!rc)
        rc = collect_ids(ctx, POLICY_SCOPE_WITH "SELECT id FROM mt ORDER BY id", &out->teams,
                         &out->n_teams);
    return rc;
}

int policy_lines_has(const int64_t *ids, size_t n, int64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && ids[lo] == id;
}

enum kam_err policy_record_account(struct kam_ctx *ctx, enum scope_kind k, int64_t id,
                                   int64_t *account_id_out)
{
    static const struct {
        enum scope_kind k;
        const char *sql, *what;
    } tables[] = {
        {SCOPE_CONTACT, "SELECT account_id FROM contacts WHERE id = ?", "contact"},
        {SCOPE_INTERACTION, "SELECT account_id FROM interactions WHERE id = ?", "interaction"},
        {SCOPE_VISIT, "SELECT account_id FROM visits WHERE id = ?", "visit"},
        {SCOPE_ISSUE, "SELECT account_id FROM issues WHERE id = ?", "issue"},
        {SCOPE_CARE, "SELECT account_id FROM care_reminders WHERE id = ?", "care reminder"},
        {SCOPE_ORDER, "SELECT account_id FROM order_lines WHERE id = ?", "order line"},
        {SCOPE_MEASURE, "SELECT COALESCE(account_id, 0) FROM measures WHERE id = ?", "measure"},
        {SCOPE_NEED, "SELECT account_id FROM needs WHERE id = ?", "need"},
        {SCOPE_INTERVIEW, "SELECT account_id FROM interviews WHERE id = ?", "interview"},
        {SCOPE_SURVEY_LINK, "SELECT account_id FROM survey_links WHERE id = ?", "survey link"},
        {SCOPE_RESPONSE, "SELECT account_id FROM survey_responses WHERE id = ?", "survey response"},
        {SCOPE_FOLLOW_UP, "SELECT account_id FROM follow_ups WHERE id = ?", "follow-up"},
        {SCOPE_OPPORTUNITY, "SELECT account_id FROM opportunities WHERE id = ?", "opportunity"},
        {SCOPE_OFFER, "SELECT account_id FROM offers WHERE id = ?", "offer"},
        {SCOPE_APPROVAL, "SELECT account_id FROM approvals WHERE id = ?", "approval"},
        {SCOPE_RISK, "SELECT account_id FROM risks WHERE id = ?", "risk"},
        {SCOPE_GIFT, "SELECT account_id FROM gifts WHERE id = ?", "gift"},
        {SCOPE_INVOICE, "SELECT account_id FROM invoices WHERE id = ?", "invoice"},
        {SCOPE_CREDIT_HOLD, "SELECT account_id FROM credit_holds WHERE id = ?", "credit hold"},
        {SCOPE_PRESENCE, "SELECT account_id FROM competitor_presence WHERE id = ?",
         "competitor presence"},
        {SCOPE_MOVE, "SELECT account_id FROM competitor_moves WHERE id = ?", "competitor move"},
        {SCOPE_ALERT, "SELECT account_id FROM alerts WHERE id = ?", "alert"},
        {SCOPE_CONTRACT, "SELECT account_id FROM contracts WHERE id = ?", "contract"},
        {SCOPE_BREACH, "SELECT account_id FROM contract_breaches WHERE id = ?", "breach"},
        {SCOPE_DISPUTE, "SELECT account_id FROM disputes WHERE id = ?", "dispute"},
        {SCOPE_LESSON, "SELECT COALESCE(account_id, 0) FROM lessons WHERE id = ?", "lesson"},
        {SCOPE_DOCUMENT, "SELECT COALESCE(account_id, 0) FROM documents WHERE id = ?", "document"},
    };
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        if (tables[i].k != k)
            continue;
        enum kam_err rc = db_query_i64(ctx->db, tables[i].sql, 1, id, account_id_out, ctx->err);
        if (rc == KAM_ENOTFOUND)
            return kam_fail(ctx->err, KAM_ENOTFOUND, "id", "no such %s", tables[i].what);
        return rc;
    }
    return kam_fail(ctx->err, KAM_EINTERNAL, "", "no record resolver for scope %d", (int)k);
}

const char *obj_name(enum obj o)
{
    static const char *const names[OBJ_COUNT] = {[OBJ_PUBLIC] = "public",
                                                 [OBJ_SELF] = "self",
                                                 [OBJ_ACCOUNT] = "account",
                                                 [OBJ_CONTACT] = "contact",
                                                 [OBJ_MEMBER] = "account_member",
                                                 [OBJ_AUDIT] = "audit",
                                                 [OBJ_USER] = "user",
                                                 [OBJ_TEAM] = "team",
                                                 [OBJ_INTERACTION] = "interaction",
                                                 [OBJ_VISIT] = "visit",
                                                 [OBJ_ISSUE] = "issue",
                                                 [OBJ_CONFIG] = "config",
                                                 [OBJ_CARE] = "care",
                                                 [OBJ_PRODUCT] = "product",
                                                 [OBJ_SALES] = "sales",
                                                 [OBJ_IMPORT] = "import",
                                                 [OBJ_TARGET] = "target",
                                                 [OBJ_APPROVAL] = "target_approval",
                                                 [OBJ_PROPOSAL] = "target_proposal",
                                                 [OBJ_MEASURE] = "measure",
                                                 [OBJ_NEED] = "need",
                                                 [OBJ_NEED_STATUS] = "need_status",
                                                 [OBJ_INTERVIEW] = "interview",
                                                 [OBJ_SURVEY] = "survey",
                                                 [OBJ_SURVEY_LINK] = "survey_link",
                                                 [OBJ_SURVEY_RESPONSE] = "survey_response",
                                                 [OBJ_SATISFACTION] = "satisfaction",
                                                 [OBJ_FOLLOW_UP] = "follow_up",
                                                 [OBJ_PRICING] = "pricing",
                                                 [OBJ_OPPORTUNITY] = "opportunity",
                                                 [OBJ_OFFER] = "offer",
                                                 [OBJ_CATALOG] = "catalog",
                                                 [OBJ_DISCOUNT] = "discount",
                                                 [OBJ_RISK] = "risk",
                                                 [OBJ_GIFT] = "gift",
                                                 [OBJ_CREDIT] = "credit",
                                                 [OBJ_RECEIVABLE] = "receivable",
                                                 [OBJ_COMPETITOR] = "competitor",
                                                 [OBJ_COMPETITION] = "competition",
                                                 [OBJ_ALERT] = "alert",
                                                 [OBJ_CONTRACT] = "contract",
                                                 [OBJ_BREACH] = "breach",
                                                 [OBJ_DISPUTE] = "dispute",
                                                 [OBJ_LESSON] = "lesson",
                                                 [OBJ_ACCOUNTABILITY] = "accountability",
                                                 [OBJ_TRAINING] = "training",
                                                 [OBJ_COMPETENCY] = "competency",
                                                 [OBJ_ASSESSMENT] = "assessment",
                                                 [OBJ_CANDIDATE] = "candidate",
                                                 [OBJ_COURSE] = "course",
                                                 [OBJ_ENROLMENT] = "enrolment",
                                                 [OBJ_SCHEME] = "scheme",
                                                 [OBJ_SCORECARD] = "scorecard",
                                                 [OBJ_COMMISSION] = "commission",
                                                 [OBJ_PAYOUT] = "payout"};
    return (unsigned)o < OBJ_COUNT ? names[o] : "?";
}

const char *act_name(enum act a)
{
    static const char *const names[ACT_COUNT] = {"read", "create", "update", "delete"};
    return (unsigned)a < ACT_COUNT ? names[a] : "?";
}

const char *scope_kind_name(enum scope_kind k)
{
    static const char *const names[SCOPE_COUNT] = {
        "none",        "account",    "contact",   "audit",       "interaction", "visit",
        "issue",       "care",       "order",     "measure",     "need",        "interview",
        "survey_link", "response",   "follow_up", "opportunity", "offer",       "approval",
        "risk",        "gift",       "invoice",   "credit_hold", "presence",    "move",
        "alert",       "contract",   "breach",    "dispute",     "lesson",      "document",
        "user",        "assessment", "enrolment", "scorecard",   "payout"};
    return (unsigned)k < SCOPE_COUNT ? names[k] : "?";
}

static const char *const role_names[ROLE_COUNT] = {
    [ROLE_NONE] = "",
    [ROLE_ADMIN] = "admin",
    [ROLE_DIRECTOR] = "director",
    [ROLE_TEAM_LEAD] = "team_lead",
    [ROLE_ACCOUNT_MANAGER] = "account_manager",
    [ROLE_FINANCE] = "finance",
    [ROLE_SERVICE] = "service",
    [ROLE_HR] = "hr",
    [ROLE_VIEWER] = "viewer",
    [ROLE_LEGAL] = "legal",
};

const char *role_name(enum role r)
{
    return (unsigned)r < ROLE_COUNT ? role_names[r] : "";
}

enum role role_parse(const char *s)
{
    for (int r = 1; r < ROLE_COUNT; r++)
        if (strcmp(role_names[r], s) == 0)
            return (enum role)r;
    return ROLE_NONE;
}

const char *grant_name(enum grant g)
{
    static const char *const names[] = {
        [GRANT_NONE] = "none", [GRANT_SCOPE] = "scope", [GRANT_ALL] = "all"};
    return (unsigned)g <= GRANT_ALL ? names[g] : "none";
}

const char *capability_name(enum capability c)
{
    static const char *const names[CAP_COUNT] = {
        [CAP_PLAN_VISITS_FOR_OTHERS] = "plan_visits_for_others",
        [CAP_SEE_OTHERS_CALENDARS] = "see_others_calendars",
        [CAP_SEE_SLA_STATS] = "see_sla_stats",
        [CAP_GRANT_ADMIN] = "grant_admin",
    };
    return (unsigned)c < CAP_COUNT ? names[c] : "?";
}

/* The role whose record scope takes in other people: the people of the teams they lead
 * (POLICY_SCOPE_WITH walks teams.manager_id). Other scoped roles see their own records. */
static int leads_people(enum role r)
{
    return r == ROLE_TEAM_LEAD;
}

int policy_capable(enum role r, enum capability c)
{
    enum grant g;
    switch (c) {
    case CAP_PLAN_VISITS_FOR_OTHERS:
        /* Org-wide planners plan for anyone, a lead for the people they lead. */
        g = policy_grant(r, OBJ_VISIT, ACT_CREATE);
        return g == GRANT_ALL || (g == GRANT_SCOPE && leads_people(r));
    case CAP_SEE_OTHERS_CALENDARS:
        /* Org-wide readers, leads, and scoped readers who own no visits of their own (their
         * calendar is always someone else's). */
        g = policy_grant(r, OBJ_VISIT, ACT_READ);
        return g == GRANT_ALL ||
               (g == GRANT_SCOPE &&
                (leads_people(r) || policy_grant(r, OBJ_VISIT, ACT_CREATE) == GRANT_NONE));
    case CAP_SEE_SLA_STATS:
        /* Those who manage issues org-wide, and leads for their teams. */
        g = policy_grant(r, OBJ_ISSUE, ACT_READ);
        return (g == GRANT_ALL && policy_grant(r, OBJ_ISSUE, ACT_UPDATE) == GRANT_ALL) ||
               (g != GRANT_NONE && leads_people(r));
    case CAP_GRANT_ADMIN:
        /* Nobody grants a role stronger than their own (user.c check_reach). */
        return policy_grant(r, OBJ_USER, ACT_UPDATE) != GRANT_NONE &&
               user_role_rank(r) >= user_role_rank(ROLE_ADMIN);
    case CAP_COUNT:
        break;
    }
    return 0;
}

/* ---- records about one person (issue 18) ---- */

int policy_scope_is_person(enum scope_kind k)
{
    return k == SCOPE_USER || k == SCOPE_ASSESSMENT || k == SCOPE_ENROLMENT ||
           k == SCOPE_SCORECARD || k == SCOPE_PAYOUT;
}

enum kam_err policy_record_person(struct kam_ctx *ctx, enum scope_kind k, int64_t id,
                                  int64_t *user_id_out)
{
    static const struct {
        enum scope_kind k;
        const char *sql, *what;
    } tables[] = {
        {SCOPE_USER, "SELECT id FROM users WHERE id = ?", "user"},
        {SCOPE_ASSESSMENT, "SELECT user_id FROM competency_assessments WHERE id = ?", "assessment"},
        {SCOPE_ENROLMENT, "SELECT user_id FROM training_enrolments WHERE id = ?", "enrolment"},
        {SCOPE_SCORECARD, "SELECT user_id FROM scorecards WHERE id = ?", "scorecard"},
        {SCOPE_PAYOUT, "SELECT user_id FROM payout_statements WHERE id = ?", "payout statement"},
    };
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        if (tables[i].k != k)
            continue;
        enum kam_err rc = db_query_i64(ctx->db, tables[i].sql, 1, id, user_id_out, ctx->err);
        if (rc == KAM_ENOTFOUND)
            return kam_fail(ctx->err, KAM_ENOTFOUND, "id", "no such %s", tables[i].what);
        return rc;
    }
    return kam_fail(ctx->err, KAM_EINTERNAL, "", "no person resolver for scope %d", (int)k);
}

enum kam_err policy_body_person(struct kam_ctx *ctx, const char *field, int64_t user_id, enum obj o,
                                enum act a)
{
    int64_t found = 0;
    enum kam_err rc = user_id > 0 ? db_query_i64(ctx->db, "SELECT id FROM users WHERE id = ?", 1,
                                                 user_id, &found, ctx->err)
                                  : KAM_ENOTFOUND;
    if (rc == KAM_ENOTFOUND)
        return kam_fail(ctx->err, KAM_EINVAL, field, "no such user");
    if (rc)
        return rc;
    enum grant g = policy_grant(ctx->who.role, o, a);
    if (g == GRANT_ALL)
        return KAM_OK;
    int yes = 0;
    if (g == GRANT_SCOPE && (rc = policy_manages_user(ctx, user_id, &yes)))
        return rc;
    if (!yes)
        return kam_fail(ctx->err, KAM_EFORBIDDEN, field, "you may not %s %s records of this person",
                        act_name(a), obj_name(o));
    return KAM_OK;
}

int policy_person_scope_with(struct kam_ctx *ctx, enum obj o, struct sqlb *b)
{
    if (policy_grant(ctx->who.role, o, ACT_READ) == GRANT_ALL)
        return 0;
    sqlb_sql(b, POLICY_SCOPE_WITH);
    sqlb_i64(b, ctx->who.user_id);
    sqlb_i64(b, ctx->who.user_id);
    return 1;
}
