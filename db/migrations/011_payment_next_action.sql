-- What the shopper must do to finish 3-D Secure while the payment is requires_action: the PSP's
-- next_action type, Stripe's client_secret for stripe.js, or a redirect URL. Cleared when it moves on.
ALTER TABLE payments ADD COLUMN next_action JSONB;
