-- Push dispatch bookkeeping: which device was sent which message (so none gets one twice, even
-- with several dispatchers or a retry after a partial failure), and how each outbox row ended.

-- =============================================================================================
-- Tables
-- =============================================================================================
create table private.push_deliveries (
  outbox_id bigint not null references private.push_outbox (id) on delete cascade,
  subscription_id uuid not null references public.push_subscriptions (id) on delete cascade,
  attempted_at timestamptz not null default now(),
  delivered_at timestamptz,
  error text,
  constraint push_deliveries_pkey primary key (outbox_id, subscription_id)
);
comment on table private.push_deliveries is 'Server-only (RLS on, no policy): one row per outbox message and device, claimed by a dispatcher before it sends, so a message reaches a device at most once.';
comment on column private.push_deliveries.outbox_id is 'The queued push (message and recipient).';
comment on column private.push_deliveries.subscription_id is 'The device it is for; the row goes when the device is removed.';
comment on column private.push_deliveries.attempted_at is 'When a dispatcher claimed this device for this message and started sending.';
comment on column private.push_deliveries.delivered_at is 'When the push service accepted it; null while sending, or when it failed for good (see error) or the dispatcher stopped mid-send.';
comment on column private.push_deliveries.error is 'Why the push service refused it for good (for example 400 or 413), for admins.';

create index push_deliveries_subscription_id_idx on private.push_deliveries (subscription_id);

alter table private.push_outbox add column outcome text;
alter table private.push_outbox add constraint push_outbox_outcome_known
  check (outcome in ('sent', 'read', 'no_devices', 'failed'));
comment on column private.push_outbox.outcome is 'How it ended: sent (to every device), read (already read, no push), no_devices, or failed (gave up after retries or refused for good; see last_error).';

-- =============================================================================================
-- Grants
-- =============================================================================================
revoke all on private.push_deliveries from public, anon, authenticated;

-- =============================================================================================
-- Row-level security
-- =============================================================================================
alter table private.push_deliveries enable row level security;
