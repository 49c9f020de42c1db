-- Web push: device subscriptions (owned by their user), the outbox the dispatcher drains, and which
-- device was sent which message. The outbox row is written by a trigger in the message's own
-- transaction, so a message is never stored without its push being queued, whether or not a
-- dispatcher is running.

-- =============================================================================================
-- Tables
-- =============================================================================================
create table public.push_subscriptions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  endpoint text not null,
  p256dh text not null,
  auth text not null,
  user_agent text,
  created_at timestamptz not null default now(),
  last_success_at timestamptz,
  constraint push_subscriptions_endpoint_key unique (endpoint),
  constraint push_subscriptions_endpoint_url check (endpoint ~ '^https?://' and char_length(endpoint) <= 2048),
  constraint push_subscriptions_keys_present check (p256dh <> '' and auth <> '')
);
comment on table public.push_subscriptions is 'One row per device (browser push endpoint) that wants message notifications.';
comment on column public.push_subscriptions.id is 'Subscription id.';
comment on column public.push_subscriptions.user_id is 'Whose device this is.';
comment on column public.push_subscriptions.endpoint is 'The push service URL of the device (unique; a device signed in as another user moves to that user).';
comment on column public.push_subscriptions.p256dh is 'The device''s public encryption key (base64url).';
comment on column public.push_subscriptions.auth is 'The device''s authentication secret (base64url).';
comment on column public.push_subscriptions.user_agent is 'Browser description, to help users recognise their devices.';
comment on column public.push_subscriptions.created_at is 'When notifications were enabled on this device.';
comment on column public.push_subscriptions.last_success_at is 'When a push was last accepted by the push service for this device.';

create index push_subscriptions_user_id_idx on public.push_subscriptions (user_id);

create table private.push_outbox (
  id bigint generated always as identity primary key,
  message_id uuid not null references public.messages (id) on delete cascade,
  recipient_id uuid not null references public.profiles (id) on delete cascade,
  created_at timestamptz not null default now(),
  not_before timestamptz not null default now(),
  attempts integer not null default 0,
  locked_until timestamptz,
  last_error text,
  done_at timestamptz,
  outcome text,
  constraint push_outbox_message_recipient_key unique (message_id, recipient_id),
  constraint push_outbox_outcome_known check (outcome in ('sent', 'read', 'no_devices', 'failed'))
);
comment on table private.push_outbox is 'Server-only (RLS on, no policy): pushes waiting to be sent, one per message and recipient. Drained by the push dispatcher.';
comment on column private.push_outbox.id is 'Queue order.';
comment on column private.push_outbox.message_id is 'The message to notify about.';
comment on column private.push_outbox.recipient_id is 'Who to notify (every device of theirs).';
comment on column private.push_outbox.created_at is 'When the message was stored.';
comment on column private.push_outbox.not_before is 'Earliest time to send: a short grace period lets a recipient who is looking at the conversation read it first (then no push).';
comment on column private.push_outbox.attempts is 'How many times a dispatcher tried to send it.';
comment on column private.push_outbox.locked_until is 'A dispatcher holds the row until then; after that another may retry it.';
comment on column private.push_outbox.last_error is 'The last failure, for admins.';
comment on column private.push_outbox.done_at is 'When it was sent, or skipped because the message was already read.';
comment on column private.push_outbox.outcome is 'How it ended: sent (to every device), read (already read, no push), no_devices, or failed (gave up after retries or refused for good; see last_error).';

create index push_outbox_pending_idx on private.push_outbox (not_before) where done_at is null;
create index push_outbox_recipient_id_idx on private.push_outbox (recipient_id);

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

-- =============================================================================================
-- Grants
-- =============================================================================================
revoke all on public.push_subscriptions from anon, authenticated;
grant select, delete on public.push_subscriptions to authenticated;
grant insert (endpoint, p256dh, auth, user_agent) on public.push_subscriptions to authenticated;

revoke all on private.push_outbox from public, anon, authenticated;
revoke all on private.push_deliveries from public, anon, authenticated;

-- =============================================================================================
-- Trigger functions
-- =============================================================================================
create function private.handle_message_enqueue_push() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  recipient uuid;
  outbox_id bigint;
begin
  if new.read_at is not null then
    return null;
  end if;
  select case when c.trainer_id = new.sender_id then c.trainee_id else c.trainer_id end
    into recipient
  from public.conversations c where c.id = new.conversation_id;
  if recipient is null then
    return null;
  end if;
  insert into private.push_outbox (message_id, recipient_id, created_at, not_before)
  values (new.id, recipient, new.created_at, new.created_at + interval '2 seconds')
  returning id into outbox_id;
  -- Wakes a listening dispatcher after commit; the interval sweep covers a dispatcher that was down.
  perform pg_notify('spotter_push_outbox', outbox_id::text);
  return null;
end;
$$;
comment on function private.handle_message_enqueue_push() is 'Queues a push for the recipient of each new message, in the message''s transaction. Definer: the outbox is server-only.';

-- A device endpoint belongs to whoever enabled notifications on it last (shared devices).
create function private.handle_push_subscription_claim() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  delete from public.push_subscriptions s where s.endpoint = new.endpoint;
  return new;
end;
$$;
comment on function private.handle_push_subscription_claim() is 'Moves an endpoint to the user who subscribes it now. Definer: the old row may belong to another user.';


revoke execute on function private.handle_message_enqueue_push(), private.handle_push_subscription_claim()
  from public, anon, authenticated, service_role;

-- =============================================================================================
-- Triggers
-- =============================================================================================
create trigger messages_after_insert_enqueue_push
  after insert on public.messages
  for each row execute function private.handle_message_enqueue_push();

create trigger push_subscriptions_before_insert_claim_endpoint
  before insert on public.push_subscriptions
  for each row execute function private.handle_push_subscription_claim();

-- =============================================================================================
-- Row-level security
-- =============================================================================================
alter table public.push_subscriptions enable row level security;
alter table private.push_outbox enable row level security;
alter table private.push_deliveries enable row level security;

create policy "Users can see their own devices"
  on public.push_subscriptions for select
  to authenticated
  using (user_id = (select auth.uid()));

create policy "Users can register their own devices"
  on public.push_subscriptions for insert
  to authenticated
  with check (user_id = (select auth.uid()));

create policy "Users can remove their own devices"
  on public.push_subscriptions for delete
  to authenticated
  using (user_id = (select auth.uid()));
