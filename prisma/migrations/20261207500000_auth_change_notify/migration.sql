-- Processes keep verified API tokens in memory (src/domain/tokens/token-cache.ts) and forget them when what an
-- authentication reads changes, whoever changed it (a server, the CLI on the database): a token's secret, scopes,
-- datasheets, expiry or revocation (its own or an ancestor's), a membership, a space's plan or name.
-- One notification per statement, delivered at commit to every process listening (src/db/auth-changes.ts).
CREATE FUNCTION "tb_auth_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('tb_auth_changed', '');
  RETURN NULL;
END
$$;

CREATE TRIGGER "api_tokens_auth_changed"
  AFTER UPDATE OF "secret_hash", "space_id", "user_id", "scopes", "datasheet_ids", "ancestor_ids", "expires_at",
    "revoked_at" OR DELETE ON "api_tokens"
  FOR EACH STATEMENT EXECUTE FUNCTION "tb_auth_changed"();

CREATE TRIGGER "space_members_auth_changed"
  AFTER UPDATE OR DELETE ON "space_members"
  FOR EACH STATEMENT EXECUTE FUNCTION "tb_auth_changed"();

CREATE TRIGGER "spaces_auth_changed"
  AFTER UPDATE OF "plan", "name" OR DELETE ON "spaces"
  FOR EACH STATEMENT EXECUTE FUNCTION "tb_auth_changed"();
