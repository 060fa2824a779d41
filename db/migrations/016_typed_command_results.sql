-- Processors store a typed result (docs/adr/0004-state-machine.md, "Results, not HTTP"): the result's
-- kind and disposition replace the HTTP status, which the ingress now derives. Rows written before keep
-- their http_status and are answered exactly as they were.
ALTER TABLE processed_commands ALTER COLUMN http_status DROP NOT NULL;
ALTER TABLE processed_commands ADD COLUMN IF NOT EXISTS result VARCHAR(32);
ALTER TABLE processed_commands DROP CONSTRAINT IF EXISTS processed_commands_result_or_status;
ALTER TABLE processed_commands ADD CONSTRAINT processed_commands_result_or_status
  CHECK (result IS NOT NULL OR http_status IS NOT NULL);
