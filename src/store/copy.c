/* copy.c -- table-by-table copy with verification, through the driver interface only. */
#include "copy.h"

#include "base/arena.h"
#include "base/buf.h"

#include <stdio.h>
#include <string.h>

/* In foreign-key order. `later` lists columns inserted as NULL and set in a second pass. A
 * migration that adds a table must add it here: db_copy refuses a source with unknown tables. */
static const struct table {
    const char *name, *cols, *key, *later;
    int has_identity;
    int seeded; /* migrations fill it with defaults: the copy replaces them */
} tables[] = {
    {"teams", "id, name, parent_id, manager_id, created_at, updated_at", "id",
     "parent_id, manager_id", 1, 0},
    {"users",
     "id, login, name, email, role, team_id, password_hash, disabled, created_at, updated_at, "
     "digest, lang",
     "id", NULL, 1, 0},
    {"sessions", "id, user_id, csrf, created_at, expires_at", "id", NULL, 0, 0},
    {"api_tokens", "id, user_id, name, token_hash, created_at, revoked_at", "id", NULL, 1, 0},
    {"login_failures", "key, window_start, count, last_at, next_at", "key", NULL, 0, 0},
    {"accounts",
     "id, code, name, alias, parent_id, industry, region, channel, employees, revenue_amount, "
     "revenue_currency, owner_id, tier, status, version, created_at, updated_at, source, "
     "referred_by, screening, screening_reason, screened_by, screened_at, tier_locked",
     "id", "parent_id", 1, 0},
    {"account_members", "account_id, user_id, dept_role, created_at", "account_id, user_id", NULL,
     0, 0},
    {"contacts",
     "id, account_id, name, title, department, decision_role, influence, attitude, "
     "reports_to_id, phone, email, birthday, last_contacted_at, notes, version, created_at, "
     "updated_at",
     "id", "reports_to_id", 1, 0},
    {"audit",
     "id, at, user_id, entity, entity_id, account_id, action, changes, seq, prev_hash, hash", "id",
     NULL, 1, 0},
    /* 0002 */
    {"settings", "key, value", "key", NULL, 0, 1},
    {"interactions",
     "id, account_id, user_id, kind, subject, notes, material_type, occurred_at, visit_id, "
     "version, created_at, updated_at",
     "id", NULL, 1, 0},
    {"interaction_contacts", "interaction_id, contact_id", "interaction_id, contact_id", NULL, 0,
     0},
    {"cadence_rules", "id, tier, decision_role, kind, every_days, active, created_at, updated_at",
     "id", NULL, 1, 1},
    {"visits",
     "id, account_id, contact_id, owner_id, kind, planned_at, status, outcome, next_steps, "
     "completed_at, interaction_id, cadence_id, gen_key, version, created_at, updated_at, "
     "duration_min, place, purpose, checkin_lat_e6, checkin_lon_e6, checkin_accuracy_m, "
     "checkin_at",
     "id", NULL, 1, 0},
    {"calendar_tokens", "user_id, token_hash, created_at", "user_id", NULL, 0, 0},
    {"sla_rules", "id, tier, severity, response_hours, resolution_hours, updated_at", "id", NULL, 1,
     1},
    {"issues",
     "id, account_id, contact_id, title, description, category, severity, status, assignee_id, "
     "reported_at, response_due_at, resolution_due_at, first_response_at, resolved_at, "
     "confirmed_at, escalated_at, escalated_to, version, created_at, updated_at",
     "id", NULL, 1, 0},
    {"notifications",
     "id, user_id, kind, title, body, link, dedup_key, created_at, read_at, msg_key, params", "id",
     NULL, 1, 0},
    /* 0003 */
    {"care_occasions",
     "id, kind, festival_key, name, month, day, days_before, key_people_only, active, "
     "created_at, updated_at",
     "id", NULL, 1, 1},
    {"message_templates", "id, name, locale, occasion, subject, body, created_at, updated_at", "id",
     NULL, 1, 1},
    {"care_reminders",
     "id, account_id, contact_id, owner_id, occasion_id, occasion_kind, occasion_key, "
     "occasion_name, occasion_date, status, channel, note, done_at, interaction_id, outbox_id, "
     "gen_key, version, created_at, updated_at",
     "id", NULL, 1, 0},
    {"outbox",
     "id, to_addr, subject, body, status, attempts, next_attempt_at, locked_until, last_error, "
     "sent_at, dedup_key, created_at",
     "id", NULL, 1, 0},
    /* 0004 */
    {"scoring_criteria", "id, key, name_zh, name_en, kind, weight, active, updated_at", "id", NULL,
     1, 1},
    {"account_assessments", "account_id, criterion, value, note, assessed_by, assessed_at",
     "account_id, criterion", NULL, 0, 0},
    {"account_scores", "account_id, score, details, computed_at", "account_id", NULL, 0, 0},
    {"tier_history", "id, account_id, from_tier, to_tier, score, reason, user_id, at", "id", NULL,
     1, 0},
    /* 0006 */
    {"products",
     "id, sku, name, family, unit, list_price, currency, active, version, created_at, updated_at, "
     "unit_cost",
     "id", NULL, 1, 0},
    {"fx_rates", "currency, rate_micro, updated_at", "currency", NULL, 0, 0},
    {"import_runs",
     "id, kind, filename, user_id, status, rows_total, rows_inserted, rows_updated, "
     "rows_rejected, problems_total, report, started_at, finished_at, format, encoding, "
     "detected, sheet",
     "id", NULL, 1, 0},
    {"order_lines",
     "id, external_id, day, account_id, product_id, region, channel, quantity, amount, currency, "
     "amount_base, import_id, created_at, updated_at, price_check, price_reason, engine_amount",
     "id", NULL, 1, 0},
    {"sales_monthly", "account_id, month, family, region, channel, quantity, amount, lines",
     "account_id, month, family, region, channel", NULL, 0, 0},
    {"sales_monthly_dim", "month, family, region, channel, quantity, amount, lines",
     "month, family, region, channel", NULL, 0, 0},
    {"sales_monthly_account", "account_id, month, quantity, amount, lines", "account_id, month",
     NULL, 0, 0},
    {"wallet_estimates", "account_id, year, amount, note, updated_by, updated_at",
     "account_id, year", NULL, 0, 0},
    {"forecasts", "level, key, measure, month, mean, lo80, hi80, lo95, hi95, method, computed_at",
     "level, key, measure, month", NULL, 0, 0},
    {"target_plans",
     "id, year, name, measure, total, dims, basis, blend, scope_region, scope_channel, "
     "scope_family, status, owner_id, approved_by, approved_at, specific, measurable, "
     "achievable, relevant, deadline, decomposed_at, version, created_at, updated_at",
     "id", NULL, 1, 0},
    {"target_cells",
     "id, plan_id, account_id, family, region, channel, month, value, basis, locked, owner_id, "
     "team_id",
     "id", NULL, 1, 0},
    {"target_adjustments",
     "id, plan_id, selection, action, from_value, to_value, reason, user_id, at, account_id, "
     "owner_id, team_id",
     "id", NULL, 1, 0},
    {"target_proposals", "plan_id, account_id, value, note, user_id, updated_at",
     "plan_id, account_id", NULL, 0, 0},
    {"measures",
     "id, plan_id, account_id, family, region, channel, kind, title, description, owner_id, "
     "start_day, due_day, status, expected_uplift, measure, effect, effect_baseline, effect_note, "
     "version, created_at, updated_at",
     "id", NULL, 1, 0},
    {"sales_affinity", "family_a, family_b, baskets, support, confidence, lift, computed_at",
     "family_a, family_b", NULL, 0, 0},
    /* 0008 */
    {"audit_head", "seq, hash, unchained", "seq", NULL, 0, 1},
    /* 0010 */
    {"saved_views", "id, user_id, screen, name, state, created_at, updated_at", "id", NULL, 1, 0},
    /* 0011 */
    {"search_index",
     "kind, id, account_id, version, fold_version, label, sub, code, name, core, body, py_full, "
     "py_init, phone, email",
     "kind, id", NULL, 0, 0},
    /* 0014 */
    {"import_mappings", "user_id, kind, mapping, updated_at", "user_id, kind", NULL, 0, 0},
    /* 0017 */
    {"interviews",
     "id, account_id, held_on, visit_id, interaction_id, title, questions, notes, created_by, "
     "version, created_at, updated_at",
     "id", NULL, 1, 0},
    {"interview_users", "interview_id, user_id", "interview_id, user_id", NULL, 0, 0},
    {"interview_contacts", "interview_id, contact_id", "interview_id, contact_id", NULL, 0, 0},
    {"needs",
     "id, account_id, category, description, pain_point, expectation, priority, contact_id, "
     "status, addressed_kind, addressed_id, due_on, interview_id, visit_id, source, owner_id, "
     "created_by, status_at, version, created_at, updated_at",
     "id", NULL, 1, 0},
    {"visit_learnings", "visit_id, how_used, works, fails, created_by, created_at", "visit_id",
     NULL, 0, 0},
    /* 0019 */
    {"survey_drivers",
     "key, label_zh_cn, label_zh_tw, label_en, dept_role, position, active, created_at, "
     "updated_at",
     "key", NULL, 0, 1},
    {"surveys",
     "id, title_zh_cn, title_zh_tw, title_en, intro_zh_cn, intro_zh_tw, intro_en, status, "
     "link_days, remind_days, max_reminders, created_by, opened_at, closed_at, version, "
     "created_at, updated_at",
     "id", NULL, 1, 0},
    {"survey_questions",
     "id, survey_id, position, kind, driver, text_zh_cn, text_zh_tw, text_en, required, overall, "
     "created_at",
     "id", NULL, 1, 0},
    {"survey_options", "question_id, position, label_zh_cn, label_zh_tw, label_en",
     "question_id, position", NULL, 0, 0},
    {"survey_links",
     "id, survey_id, contact_id, account_id, token_hash, lang, channel, expires_at, sent_at, "
     "reminded_at, reminders, answered_at, created_by, created_at, prev_token_hash",
     "id", NULL, 1, 0},
    {"survey_responses",
     "id, survey_id, link_id, account_id, contact_id, lang, entered_by, submitted_at", "id", NULL,
     1, 0},
    {"survey_answers", "response_id, question_id, value, text, sentiment_ppm, sentiment_model",
     "response_id, question_id", NULL, 0, 0},
    {"survey_hits", "key, window_start, count", "key", NULL, 0, 0},
    {"follow_ups",
     "id, account_id, dept_role, source, response_id, question_id, from_dept, title, detail, "
     "owner_id, due_on, status, action, resolved_at, confirmed_at, confirmation, created_by, "
     "version, created_at, updated_at, reason",
     "id", NULL, 1, 0},
    /* 0020 */
    {"price_lists",
     "id, name, currency, valid_from, valid_to, active, scope, tier, account_id, note, version, "
     "created_at, updated_at",
     "id", NULL, 1, 0},
    {"price_list_items", "id, list_id, product_id, unit_price", "id", NULL, 1, 0},
    {"price_breaks", "id, item_id, kind, basis, threshold, unit_price, discount_bp", "id", NULL, 1,
     0},
    {"promotions",
     "id, name, valid_from, valid_to, active, all_products, scope, tier, account_id, discount_bp, "
     "unit_price, currency, version, created_at, updated_at",
     "id", NULL, 1, 0},
    {"promotion_products", "promotion_id, product_id, family", "promotion_id, product_id, family",
     NULL, 0, 0},
    {"rebates", "id, name, scope, tier, account_id, active, version, created_at, updated_at", "id",
     NULL, 1, 0},
    {"rebate_tiers", "rebate_id, threshold, rebate_bp", "rebate_id, threshold", NULL, 0, 0},
    /* 0022 */
    {"opportunity_stages",
     "code, name_zh_hans, name_zh_hant, name_en, position, probability_bp, outcome, active, "
     "updated_at",
     "code", NULL, 0, 1},
    {"opportunities",
     "id, account_id, name, owner_id, stage, amount, currency, quantity, close_month, "
     "probability_bp, competitors, outcome_reason, closed_at, version, created_at, updated_at",
     "id", NULL, 1, 0},
    {"opportunity_products", "opportunity_id, product_id, quantity, amount",
     "opportunity_id, product_id", NULL, 0, 0},
    {"opportunity_needs", "opportunity_id, need_id", "opportunity_id, need_id", NULL, 0, 0},
    {"bundles",
     "id, code, name, description, currency, price, active, version, created_at, updated_at", "id",
     NULL, 1, 0},
    {"bundle_items", "bundle_id, product_id, quantity", "bundle_id, product_id", NULL, 0, 0},
    {"service_items",
     "id, code, kind, name, unit, price, currency, unit_cost, sla, active, version, created_at, "
     "updated_at",
     "id", NULL, 1, 0},
    {"discount_limits", "role, max_bp, updated_at", "role", NULL, 0, 1},
    {"approvals",
     "id, kind, object_id, account_id, requested_by, discount_bp, needs, status, comment, "
     "version, created_at, decided_at, updated_at",
     "id", NULL, 1, 0},
    {"approval_steps", "id, approval_id, role, user_id, decision, comment, at", "id", NULL, 1, 0},
    {"offers",
     "id, number, account_id, opportunity_id, root_id, version_no, title, lang, currency, "
     "price_date, valid_until, status, max_discount_bp, approval_id, subtotal, total, cost, "
     "terms, note, decision_reason, created_by, sent_at, decided_at, version, created_at, "
     "updated_at",
     "id", NULL, 1, 0},
    {"offer_lines",
     "id, offer_id, position, kind, product_id, bundle_id, service_item_id, description, "
     "quantity, engine_price, unit_price, discount_bp, amount, unit_cost, explain, components, "
     "order_line_id",
     "id", NULL, 1, 0},
    {"offer_customisations",
     "id, offer_id, request, feasibility, confirm_by, confirmed_by, confirmed_at, note", "id", NULL,
     1, 0},
    /* 0023 */
    {"risks",
     "id, account_id, covers_group, category, title, description, likelihood, impact, owner_id, "
     "response, response_plan, review_on, status, closed_reason, closed_at, source, source_id, "
     "created_by, version, created_at, updated_at",
     "id", NULL, 1, 0},
    {"risk_actions", "id, risk_id, description, owner_id, due_on, done_at, created_at, updated_at",
     "id", NULL, 1, 0},
    {"gift_rules",
     "id, name, kind, recipient_role, max_value, currency, approver_role, forbidden, active, "
     "version, created_at, updated_at",
     "id", NULL, 1, 0},
    {"gift_budgets", "account_id, year, amount, currency, updated_by, updated_at",
     "account_id, year", NULL, 0, 0},
    {"gifts",
     "id, account_id, contact_id, kind, description, value, currency, value_base, given_on, "
     "given_by, care_reminder_id, visit_id, rule_id, status, decided_by, decided_at, "
     "decision_note, risk_id, version, created_at, updated_at, created_by",
     "id", NULL, 1, 0},
    {"credit_limits",
     "account_id, amount, group_amount, currency, terms_days, note, version, created_at, "
     "updated_at",
     "account_id", NULL, 0, 0},
    {"invoices",
     "id, invoice_no, account_id, day, due_day, amount, currency, amount_base, paid, paid_on, "
     "import_id, created_at, updated_at",
     "id", NULL, 1, 0},
    {"payments",
     "id, payment_no, account_id, day, amount, currency, amount_base, invoice_id, unapplied, "
     "import_id, created_at, updated_at, invoice_ref",
     "id", NULL, 1, 0},
    {"payment_allocations", "payment_id, invoice_id, amount", "payment_id, invoice_id", NULL, 0, 0},
    {"credit_holds",
     "id, kind, object_id, account_id, exposure, limit_amount, status, decided_by, decided_at, "
     "note, version, created_at, updated_at",
     "id", NULL, 1, 0},
    {"competitors",
     "id, name, alias, website, strengths, weaknesses, note, active, version, created_at, "
     "updated_at",
     "id", NULL, 1, 0},
    {"competitor_presence",
     "id, competitor_id, account_id, family, share_bp, price_level, note, updated_by, version, "
     "created_at, updated_at",
     "id", NULL, 1, 0},
    {"competitor_moves",
     "id, competitor_id, account_id, family, day, kind, severity, description, created_by, "
     "created_at",
     "id", NULL, 1, 0},
    {"alert_rules",
     "signal, enabled, threshold_milli, severity, dept, params, version, updated_by, updated_at",
     "signal", NULL, 0, 0},
    {"alerts",
     "id, account_id, signal, open_key, severity, dept, value_milli, threshold_milli, evidence, "
     "status, owner_id, acknowledged_by, acknowledged_at, response, response_due, resolved_by, "
     "resolved_at, resolution, cleared_at, risk_id, first_seen_at, last_seen_at, version, "
     "created_at, updated_at",
     "id", NULL, 1, 0},
    {"account_health", "account_id, day, score, lines", "account_id, day", NULL, 0, 0},
    {"churn_models",
     "id, trained_at, horizon_months, drop_bp, rows, positives, auc_bp, features, body, active",
     "id", NULL, 1, 0},
    {"churn_scores", "account_id, day, model_id, probability_bp, factors", "account_id, day", NULL,
     0, 0},
    {"contracts",
     "id, account_id, covers_group, number, title, kind, our_party, their_party, our_signatory, "
     "their_signatory, signatory_contact_id, signed_on, starts_on, ends_on, auto_renew, "
     "renewal_months, notice_days, remind_days, reminded_for, currency, price_list_id, "
     "payment_days, sla_response_hours, sla_resolution_hours, status, status_note, renewed_to, "
     "owner_id, note, revision, created_by, version, created_at, updated_at",
     "id", "renewed_to", 1, 0},
    {"contract_versions",
     "id, contract_id, revision, effective_on, note, terms, created_by, created_at", "id", NULL, 1,
     0},
    {"contract_obligations",
     "id, contract_id, side, kind, title, family, measure, period, target, tolerance_bp, days, "
     "response_hours, resolution_hours, due_on, recurrence, active, created_at, updated_at",
     "id", NULL, 1, 0},
    {"contract_obligation_done", "id, obligation_id, due_on, done_on, note, created_by, created_at",
     "id", NULL, 1, 0},
    {"contract_breaches",
     "id, contract_id, obligation_id, account_id, side, kind, occurrence, severity, at_stake, "
     "currency, measured, expected, evidence, status, reason, action, owner_id, detected_at, "
     "last_seen_at, cured_at, version, created_at, updated_at",
     "id", NULL, 1, 0},
    {"disputes",
     "id, account_id, contract_id, breach_id, title, counterpart, amount_claimed, currency, "
     "our_position, their_position, arose_on, limitation_on, stage, outcome, outcome_note, "
     "settled_amount, closed_on, reported_by, reported_to, owner_id, reminded_for, version, "
     "created_at, updated_at",
     "id", NULL, 1, 0},
    {"dispute_stages",
     "id, dispute_id, stage, started_on, ended_on, deadline_on, deadline_note, forum, "
     "participants, cost, note, created_at, updated_at",
     "id", NULL, 1, 0},
    {"dispute_events", "id, dispute_id, day, kind, text, amount, created_by, created_at", "id",
     NULL, 1, 0},
    {"lessons",
     "id, account_id, title, what_happened, root_cause, changes, tags, created_by, version, "
     "created_at, updated_at",
     "id", NULL, 1, 0},
    {"lesson_links", "lesson_id, kind, ref_id", "lesson_id, kind, ref_id", NULL, 0, 0},
    {"lesson_accountability", "id, lesson_id, user_id, decision, note, created_at", "id", NULL, 1,
     0},
    {"training_needs",
     "id, source, source_id, topic, detail, user_id, audience_role, status, created_by, "
     "created_at, updated_at",
     "id", NULL, 1, 0},
    {"documents",
     "id, owner_kind, owner_id, account_id, name, mime, size, sha256, note, created_by, created_at",
     "id", NULL, 1, 0},
    {"document_content", "document_id, content", "document_id", NULL, 0, 0},
    /* 0026: competencies, role profiles, assessments, candidates (issue 18) */
    {"competencies",
     "id, code, name_zh, name_en, description_zh, description_en, custom, active, version, "
     "created_at, updated_at",
     "id", NULL, 1, 1},
    {"competency_levels", "competency_id, level, descriptor_zh, descriptor_en",
     "competency_id, level", NULL, 0, 0},
    {"competency_assessments",
     "id, user_id, assessor_id, kind, assessed_on, note, version, created_by, created_at, "
     "updated_at",
     "id", NULL, 1, 0},
    {"assessment_scores", "assessment_id, competency_id, level, evidence",
     "assessment_id, competency_id", NULL, 0, 0},
    {"role_profiles",
     "id, code, name_zh, name_en, description, active, version, created_at, updated_at", "id", NULL,
     1, 0},
    {"role_profile_levels", "profile_id, competency_id, level, weight", "profile_id, competency_id",
     NULL, 0, 0},
    {"candidates",
     "id, profile_id, user_id, name, contact, source, note, status, decision_reason, decided_by, "
     "decided_at, version, created_by, created_at, updated_at",
     "id", NULL, 1, 0},
    {"interview_scores", "candidate_id, competency_id, interviewer_id, level, note, scored_at",
     "candidate_id, competency_id, interviewer_id", NULL, 0, 0},
    /* 0027: training */
    {"courses",
     "id, code, title, topic, format, description, active, version, created_at, updated_at", "id",
     NULL, 1, 0},
    {"course_competencies", "course_id, competency_id", "course_id, competency_id", NULL, 0, 0},
    {"training_sessions",
     "id, course_id, starts_on, ends_on, trainer_id, trainer_name, place, version, created_at, "
     "updated_at",
     "id", NULL, 1, 0},
    {"training_enrolments",
     "id, session_id, user_id, status, completed_at, pre_score, post_score, feedback_rating, "
     "feedback_comment, feedback_at, practice_account_id, practice_task, practice_due_on, "
     "practice_done_on, practice_result, version, created_at, updated_at",
     "id", NULL, 1, 0},
    /* 0028: appraisal */
    {"appraisal_schemes", "id, name, role, period_kind, active, version, created_at, updated_at",
     "id", NULL, 1, 0},
    {"appraisal_indicators",
     "id, scheme_id, scheme_version, position, kind, label, weight_bp, threshold, target, "
     "stretch, cap_score, lower_better",
     "id", NULL, 1, 0},
    {"scorecards",
     "id, scheme_id, user_id, period_start, period_end, status, score, version, created_at, "
     "updated_at, scheme_version, computed_score, computed_at, comment, acknowledged_at, "
     "finalised_by, finalised_at",
     "id", NULL, 1, 0},
    {"scorecard_lines",
     "scorecard_id, indicator_id, position, kind, label, weight_bp, threshold, target, stretch, "
     "cap_score, lower_better, measured, basis, actual, attainment_bp, score, weighted, why, "
     "explanation, facts",
     "scorecard_id, indicator_id", NULL, 0, 0},
    {"scorecard_records",
     "id, scorecard_id, indicator_id, side, ref_kind, ref_id, day, account_id, value, note", "id",
     NULL, 1, 0},
    {"scorecard_adjustments",
     "id, scorecard_id, old_score, new_score, reason, adjusted_by, created_at", "id", NULL, 1, 0},
    /* 0029: incentives */
    {"commission_plans",
     "id, name, currency, period_kind, active, version, created_at, updated_at, basis, "
     "default_rate_bp, threshold_bp, cap, bad_debt_days, note",
     "id", NULL, 1, 0},
    {"commission_rates", "plan_id, family, rate_bp", "plan_id, family", NULL, 0, 0},
    {"commission_tiers", "plan_id, from_bp, multiplier_bp", "plan_id, from_bp", NULL, 0, 0},
    {"commission_splits", "plan_id, dept_role, share_bp", "plan_id, dept_role", NULL, 0, 0},
    {"commission_targets", "plan_id, user_id, period_start, amount",
     "plan_id, user_id, period_start", NULL, 0, 0},
    {"bonus_pools",
     "id, plan_id, name, period_start, period_end, amount, team_id, role, min_score, version, "
     "created_at, updated_at",
     "id", NULL, 1, 0},
    {"recognitions", "id, user_id, title, reason, day, created_by, created_at", "id", NULL, 1, 0},
    {"payout_statements",
     "id, plan_id, user_id, period_start, period_end, currency, total, status, approved_by, "
     "approved_at, plan_version, target, credited, attainment_bp, reason, computed_at, version, "
     "created_at, updated_at",
     "id", NULL, 1, 0},
    {"payout_lines",
     "id, statement_id, seq, kind, reason, order_line_id, invoice_id, bonus_pool_id, account_id, "
     "family, day, line_amount, share_bp, basis, rate_bp, tier, multiplier_bp, amount",
     "id", NULL, 1, 0},
};
#define NTABLES (sizeof tables / sizeof tables[0])

static int ncols(const char *cols)
{
    int n = 1;
    for (; *cols; cols++)
        n += *cols == ',';
    return n;
}

/* Is column `col` in the comma-separated list? */
static int in_list(const char *list, const char *col, size_t len)
{
    if (!list)
        return 0;
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t n = strcspn(p, ", ");
        if (n == len && strncmp(p, col, len) == 0)
            return 1;
        p += n;
    }
    return 0;
}

static enum kam_err check_tables(struct db *src, struct kam_error *e)
{
    const char *sql = db_tables_sql(src);
    struct db_stmt *st;
    enum kam_err rc = db_prepare(src, sql, &st, e);
    if (rc)
        return rc;
    int row = 0;
    while (!(rc = db_step(st, &row, e)) && row) {
        const char *t = db_col_text(st, 0);
        size_t i = 0;
        while (i < NTABLES && strcmp(tables[i].name, t) != 0)
            i++;
        if (i == NTABLES) {
            rc = kam_fail(e, KAM_EINVAL, "from", "table %s is not known to migrate-data", t);
            break;
        }
    }
    db_done(st);
    /* A column the list lacks would be dropped silently (the checksums read the listed ones
     * only): refused, as an unknown table is. */
    const char *csql = strcmp(db_scheme(src), "sqlite") == 0
                           ? "SELECT name FROM pragma_table_info(?) ORDER BY cid"
                           : "SELECT column_name FROM information_schema.columns WHERE "
                             "table_schema = current_schema() AND table_name = ? "
                             "ORDER BY ordinal_position";
    for (size_t i = 0; !rc && i < NTABLES; i++) {
        if ((rc = db_prepare(src, csql, &st, e)))
            break;
        db_bind_text(st, 1, tables[i].name);
        while (!(rc = db_step(st, &row, e)) && row) {
            size_t n;
            const char *c = db_col_textn(st, 0, &n);
            if (!in_list(tables[i].cols, c, n)) {
                rc = kam_fail(e, KAM_EINVAL, "from", "column %s.%.*s is not known to migrate-data",
                              tables[i].name, (int)n, c);
                break;
            }
        }
        db_done(st);
    }
    return rc;
}

/* FNV-1a of one row: values as text (binary data as its bytes: the engines' text forms of a
 * BLOB and a bytea differ), NULL distinct from "". Summed over rows, so the order in which each
 * engine returns them does not matter. *oom: a bytea could not be decoded. */
static uint64_t row_hash(struct db_stmt *st, int n, int *oom)
{
    uint64_t h = 1469598103934665603ull;
    for (int c = 0; c < n; c++) {
        if (db_col_is_null(st, c)) {
            h = (h ^ 0xffu) * 1099511628211ull;
        } else {
            size_t len;
            const char *v =
                db_col_is_blob(st, c) ? db_col_blob(st, c, &len) : db_col_textn(st, c, &len);
            if (!v) {
                *oom = 1;
                len = 0;
            }
            for (size_t i = 0; i < len; i++)
                h = (h ^ (unsigned char)v[i]) * 1099511628211ull;
        }
        h = (h ^ 0x1fu) * 1099511628211ull;
    }
    return h;
}

static enum kam_err summarize(struct db *db, const struct table *t, int64_t *rows, uint64_t *sum,
                              struct kam_error *e)
{
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT %s FROM %s", t->cols, t->name);
    struct db_stmt *st;
    enum kam_err rc = db_prepare(db, sql, &st, e);
    if (rc)
        return rc;
    int n = ncols(t->cols), row = 0, oom = 0;
    *rows = 0;
    *sum = 0;
    while (!(rc = db_step(st, &row, e)) && row) {
        (*rows)++;
        *sum += row_hash(st, n, &oom);
    }
    db_done(st);
    if (!rc && oom)
        rc = kam_fail(e, KAM_EINTERNAL, "", "out of memory");
    return rc;
}

/* Rows per INSERT: one statement per row costs a round trip each on PostgreSQL. 100 rows of
 * at most 17 columns stay far below both engines' limits on bound parameters. A batch holding
 * binary data (documents) is sent once it holds BATCH_BYTES of it. */
#define BATCH 100
#define BATCH_BYTES (16u << 20)

/* Inserts rows [0, k) of the batch held in vals (NULL = SQL NULL); a value with lens[i] >= 0
 * is binary data of that many bytes (db_bind_blob), -1 text. */
static enum kam_err insert_batch(struct db *dst, const struct table *t, int n, int k, char **vals,
                                 const int64_t *lens, struct kam_error *e)
{
    struct buf sql;
    buf_init(&sql, 1 << 20);
    buf_printf(&sql, "INSERT INTO %s (%s) VALUES ", t->name, t->cols);
    for (int r = 0; r < k; r++) {
        buf_puts(&sql, r ? ", (" : "(");
        for (int c = 0; c < n; c++)
            buf_puts(&sql, c ? ", ?" : "?");
        buf_putc(&sql, ')');
    }
    struct db_stmt *out;
    enum kam_err rc = db_prepare(dst, sql.data, &out, e);
    buf_release(&sql);
    if (rc)
        return rc;
    for (int i = 0; i < n * k; i++) {
        if (vals[i] && lens[i] >= 0)
            db_bind_blob(out, i + 1, vals[i], (size_t)lens[i]);
        else
            db_bind_text(out, i + 1, vals[i]);
    }
    int row;
    rc = db_step(out, &row, e);
    db_done(out);
    return rc;
}

static enum kam_err copy_rows(struct db *src, struct db *dst, const struct table *t,
                              struct kam_error *e)
{
    char sql[1024];
    int n = ncols(t->cols);
    snprintf(sql, sizeof sql, "SELECT %s FROM %s", t->cols, t->name);
    struct db_stmt *in;
    enum kam_err rc = db_prepare(src, sql, &in, e);
    if (rc)
        return rc;
    /* Which column positions are deferred to the second pass. */
    int later[64] = {0};
    const char *p = t->cols;
    for (int i = 0; i < n && i < 64; i++) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t cl = strcspn(p, ", ");
        later[i] = in_list(t->later, p, cl);
        p += cl;
    }
    struct arena a;
    arena_init(&a);
    char **vals = arena_calloc(&a, (size_t)n * BATCH, sizeof *vals);
    int64_t *lens = arena_calloc(&a, (size_t)n * BATCH, sizeof *lens);
    int k = 0, row = 0;
    size_t bytes = 0;
    while (!rc && !(rc = db_step(in, &row, e)) && row) {
        for (int c = 0; c < n; c++) {
            size_t vl;
            int i = k * n + c;
            lens[i] = -1;
            if (later[c] || db_col_is_null(in, c)) {
                vals[i] = NULL;
            } else if (db_col_is_blob(in, c)) {
                const char *v = db_col_blob(in, c, &vl);
                if (!v) {
                    rc = kam_fail(e, KAM_EINTERNAL, "", "out of memory");
                    break;
                }
                vals[i] = arena_alloc(&a, vl ? vl : 1);
                memcpy(vals[i], v, vl);
                lens[i] = (int64_t)vl;
                bytes += vl;
            } else {
                const char *v = db_col_textn(in, c, &vl);
                vals[i] = arena_strndup(&a, v, vl);
            }
        }
        if (rc)
            break;
        if (++k == BATCH || bytes >= BATCH_BYTES) {
            rc = insert_batch(dst, t, n, k, vals, lens, e);
            k = 0;
            bytes = 0;
            /* Keep the pointer arrays, drop the copied values. */
            struct arena fresh;
            arena_init(&fresh);
            char **nv = arena_calloc(&fresh, (size_t)n * BATCH, sizeof *nv);
            int64_t *nl = arena_calloc(&fresh, (size_t)n * BATCH, sizeof *nl);
            arena_release(&a);
            a = fresh;
            vals = nv;
            lens = nl;
        }
    }
    if (!rc && k)
        rc = insert_batch(dst, t, n, k, vals, lens, e);
    arena_release(&a);
    db_done(in);
    return rc;
}

/* Second pass, once every table has its rows: UPDATE t SET a = ?, b = ? WHERE id = ? for
 * rows with any deferred column set. */
static enum kam_err copy_later(struct db *src, struct db *dst, const struct table *t,
                               struct kam_error *e)
{
    if (!t->later)
        return KAM_OK;
    char sql[1024];
    struct db_stmt *in;
    enum kam_err rc;
    int len, row = 0;
    const char *p;
    snprintf(sql, sizeof sql, "SELECT %s, %s FROM %s", t->key, t->later, t->name);
    if ((rc = db_prepare(src, sql, &in, e)))
        return rc;
    len = snprintf(sql, sizeof sql, "UPDATE %s SET ", t->name);
    int nl = ncols(t->later);
    p = t->later;
    for (int i = 0; i < nl; i++) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t cl = strcspn(p, ", ");
        len +=
            snprintf(sql + len, sizeof sql - (size_t)len, "%s%.*s = ?", i ? ", " : "", (int)cl, p);
        p += cl;
    }
    snprintf(sql + len, sizeof sql - (size_t)len, " WHERE %s = ?", t->key);
    while (!rc && !(rc = db_step(in, &row, e)) && row) {
        int any = 0;
        for (int c = 1; c <= nl; c++)
            any |= !db_col_is_null(in, c);
        if (!any)
            continue;
        struct db_stmt *out;
        if ((rc = db_prepare(dst, sql, &out, e)))
            break;
        for (int c = 1; c <= nl; c++) {
            if (db_col_is_null(in, c))
                db_bind_null(out, c);
            else
                db_bind_text(out, c, db_col_text(in, c));
        }
        db_bind_text(out, nl + 1, db_col_text(in, 0));
        int r2;
        rc = db_step(out, &r2, e);
        db_done(out);
    }
    db_done(in);
    return rc;
}

enum kam_err db_copy(struct db *src, struct db *dst, copy_progress progress, void *user,
                     struct kam_error *e)
{
    int vs = 0, vd = 0;
    enum kam_err rc;
    if ((rc = db_schema_version(src, &vs, e)) || (rc = db_schema_version(dst, &vd, e)))
        return rc;
    if (vs != vd)
        return kam_fail(e, KAM_EINVAL, "from",
                        "schema versions differ (source %d, target %d): run kam init on the "
                        "source first",
                        vs, vd);
    if ((rc = check_tables(src, e)))
        return rc;
    for (size_t i = 0; i < NTABLES; i++) {
        char sql[128];
        int64_t count = 0;
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", tables[i].name);
        if ((rc = db_query_i64(dst, sql, 0, 0, &count, e)))
            return rc;
        if (count && !tables[i].seeded)
            return kam_fail(e, KAM_ECONFLICT, "to", "the target is not empty (%s has %lld rows)",
                            tables[i].name, (long long)count);
    }
    if ((rc = db_begin(dst, e)))
        return rc;
    for (size_t i = 0; i < NTABLES && !rc; i++) {
        if (!tables[i].seeded)
            continue;
        char sql[128];
        snprintf(sql, sizeof sql, "DELETE FROM %s", tables[i].name);
        rc = db_exec(dst, sql, e);
    }
    for (size_t i = 0; i < NTABLES && !rc; i++)
        rc = copy_rows(src, dst, &tables[i], e);
    for (size_t i = 0; i < NTABLES && !rc; i++)
        rc = copy_later(src, dst, &tables[i], e);
    for (size_t i = 0; i < NTABLES && !rc; i++) {
        const struct table *t = &tables[i];
        if (t->has_identity)
            rc = db_reset_identity(dst, t->name, e); /* new rows continue after copied ids */
    }
    for (size_t i = 0; i < NTABLES && !rc; i++) {
        struct copy_report r = {.table = tables[i].name};
        if ((rc = summarize(src, &tables[i], &r.rows_src, &r.sum_src, e)) ||
            (rc = summarize(dst, &tables[i], &r.rows_dst, &r.sum_dst, e)))
            break;
        if (progress)
            progress(&r, user);
        if (r.rows_src != r.rows_dst || r.sum_src != r.sum_dst)
            rc = kam_fail(e, KAM_EDB, "",
                          "verification failed for %s: %lld rows (%016llx) vs %lld "
                          "(%016llx)",
                          r.table, (long long)r.rows_src, (unsigned long long)r.sum_src,
                          (long long)r.rows_dst, (unsigned long long)r.sum_dst);
    }
    return db_end(dst, rc, e);
}

enum kam_err db_copy_checksum(struct db *db, const char *table, const char *cols, int64_t *rows_out,
                              uint64_t *sum_out, struct kam_error *e)
{
    *rows_out = 0;
    *sum_out = 0;
    if (strlen(table) + strlen(cols) + 16 > 512) /* summarize's statement buffer */
        return kam_fail(e, KAM_EINVAL, "", "table %.40s: column list too long to checksum", table);
    struct table t = {.name = table, .cols = cols};
    return summarize(db, &t, rows_out, sum_out, e);
}
