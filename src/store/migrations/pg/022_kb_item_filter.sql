-- A page of one owner's items in one category (Udesk's list of questions, phrases or
-- links in a catalog): every column of the list's filter, then id, so the count and
-- the rows a page skips are read from the index alone, in id order.
CREATE INDEX kb_item_filter ON kb_item (tenant_id, space, type, owner_id, category_id, id);
