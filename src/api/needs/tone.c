/* tone.c -- /api/v1/settings/tone: the line below which a comment reads negative (svc/core/tone.h,
 * issue 14 items 5 and 6). Read by every role that may read config, changed by who may update it
 * (OBJ_CONFIG: admins and directors; dispatch checks it). The line is a score of "positive" in
 * millionths (ppm, an integer 0..500,000): a comment the model scores below it is negative --
 * flagged in results and made a follow-up. Settings are not versioned (like /settings/follow-ups):
 * the last PATCH wins. */
#include <stddef.h>
#include <stdint.h>

#include "api/core/internal.h"
#include "svc/core/tone.h"

const struct api_shape api_shapes_tone[] = {
    {"ToneSettings", "negative_below_ppm:int default_ppm:int max_ppm:int model_id:str"},
    {NULL, NULL},
};

struct tone_body {
    int64_t ppm;
};

static const struct jfield tone_spec[] = {
    {"negative_below_ppm", J_I64, 1, offsetof(struct tone_body, ppm), 0, 0, 0,
     "0-500000: a comment scored below this (millionths of \"positive\") is negative "
     "(default 150000)",
     1},
    {0},
};

static enum kam_err tone_write(struct api_call *c)
{
    int below = TONE_NEGATIVE_BELOW_DEFAULT;
    enum kam_err rc = tone_negative_below(c->ctx, &below);
    if (rc)
        return rc;
    jw_obj_begin(&c->w);
    jw_ki64(&c->w, "negative_below_ppm", below);
    jw_ki64(&c->w, "default_ppm", TONE_NEGATIVE_BELOW_DEFAULT);
    jw_ki64(&c->w, "max_ppm", TONE_NEGATIVE_BELOW_MAX);
    jw_kstr(&c->w, "model_id", tone_model_id());
    jw_obj_end(&c->w);
    return KAM_OK;
}

static enum kam_err tone_patch(struct api_call *c)
{
    struct tone_body b = {0};
    unsigned set = 0;
    enum kam_err rc = api_decode(c, tone_spec, &b, &set);
    if (rc)
        return rc;
    if (!(set & 1))
        return kam_fail_key(c->ctx->err, KAM_EINVAL, "negative_below_ppm", "required",
                            (struct kam_param[]){{"field", "negative_below_ppm"}, {0}},
                            "negative_below_ppm is required");
    if ((rc = tone_set_negative_below(c->ctx, b.ppm)))
        return rc;
    return tone_write(c);
}

#define TONE_RESP "ToneSettings"

const struct route api_routes_tone[] = {
    {"GET", "/api/v1/settings/tone", tone_write, OBJ_CONFIG, ACT_READ, SCOPE_NONE, NULL, NULL, 200,
     "The line below which a comment's sentiment score (millionths of \"positive\") reads "
     "negative: flagged in survey results and made a follow-up; the shipped model's id",
     TONE_RESP},
    {"PATCH", "/api/v1/settings/tone", tone_patch, OBJ_CONFIG, ACT_UPDATE, SCOPE_NONE, tone_spec,
     NULL, 200,
     "Move the line (negative_below_ppm, 0-500000); stored scores are relabelled at once",
     TONE_RESP},
    {0},
};
