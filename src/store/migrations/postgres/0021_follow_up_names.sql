-- Follow-ups from a survey response name the respondent by the neutral word 受访者, never by
-- name (the name is read from the contact as it is now: respondent_name). Rows written before
-- named them: a negative comment's title "负面评论：<name> · <question>" and a low score's
-- detail "<name> 于 <time> 在问卷“…”中对“…”打了 N 分（满分 M）。…". Only rows of a response
-- (response_id set; hand-offs and erased rows untouched), only that shape. The name ends where
-- the contact's current name ends when it still matches, else at the first " · " / " 于 ".
UPDATE follow_ups
SET title = '负面评论：受访者' || substr(title, COALESCE(
        (SELECT CASE WHEN substr(follow_ups.title, 1, length('负面评论：' || c.name || ' · ')) =
                          '负面评论：' || c.name || ' · '
                     THEN length('负面评论：' || c.name) + 1 END
         FROM survey_responses r JOIN contacts c ON c.id = r.contact_id
         WHERE r.id = follow_ups.response_id),
        strpos(title, ' · ')))
WHERE source = 'comment' AND response_id IS NOT NULL AND substr(title, 1, 5) = '负面评论：'
  AND strpos(title, ' · ') > 6 AND substr(title, 1, 11) <> '负面评论：受访者 · '
  AND detail <> '（已按要求删除 / erased）';

UPDATE follow_ups
SET detail = '受访者' || substr(detail, COALESCE(
        (SELECT CASE WHEN substr(follow_ups.detail, 1, length(c.name || ' 于 ')) = c.name || ' 于 '
                     THEN length(c.name) + 2 END
         FROM survey_responses r JOIN contacts c ON c.id = r.contact_id
         WHERE r.id = follow_ups.response_id),
        strpos(detail, ' 于 ') + 1))
WHERE source = 'survey' AND response_id IS NOT NULL AND strpos(detail, ' 于 ') > 1
  AND detail LIKE '% 于 % 在问卷“%”中对“%”打了 % 分（满分 %）。%';
