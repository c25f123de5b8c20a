-- Text sort order (aitable-fusion-api.md §7.2: the reference sorts text with a zh-CN Intl.Collator): ICU's
-- Chinese collation, so Han characters sort by pinyin and Latin text case- and accent-aware (a A á b B …)
-- instead of by code point. Builds whose ICU lacks Chinese data (PGlite) fall back to the ICU root order.
CREATE COLLATION IF NOT EXISTS "sort_text" (provider = icu, locale = 'zh');
