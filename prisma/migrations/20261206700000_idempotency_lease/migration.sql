-- An idempotency key is held by its first request through a lease the request renews while it runs, and
-- is marked committed inside the transaction of the write it guards: a committed key is never run again.
ALTER TABLE "idempotency_keys" ADD COLUMN "committed" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "idempotency_keys" ADD COLUMN "lease_expires_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;
