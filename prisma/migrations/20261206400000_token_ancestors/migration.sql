-- A token created by another token is bounded by it: it expires no later, and is refused once any token it
-- descends from is revoked or expired. ancestor_ids lists those tokens, root first, its creator last.
ALTER TABLE "api_tokens" ADD COLUMN "ancestor_ids" TEXT[];
