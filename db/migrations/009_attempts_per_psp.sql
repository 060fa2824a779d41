-- An authorization rerouted to another PSP (its first request never left) gets a second attempt for the
-- same command: one attempt per (command, operation, PSP). The latest is the one a redelivery resumes.
DROP INDEX payment_attempts_command_op_idx;
CREATE UNIQUE INDEX payment_attempts_command_op_psp_idx ON payment_attempts (command_id, operation, psp);
