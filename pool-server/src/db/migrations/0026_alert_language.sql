-- The language a subscription's e-mails and Telegram messages are written in: alerts are
-- worded from their facts when delivered. Subscriptions made before read English.
ALTER TABLE alert_subscriptions
  ADD COLUMN language text NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'fa', 'ru'));
