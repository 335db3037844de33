-- Order lines listed (and exported) newest first page by page: the keyset sort (day, id)
-- reads this index instead of sorting the whole table for every page.
CREATE INDEX order_lines_day ON order_lines(day, id);
