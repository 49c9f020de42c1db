-- Web push: device subscriptions (owned by their user), the outbox the dispatcher drains, and which
-- device was sent which message. The outbox row is written by a trigger in the message's own
-- transaction, so a message is never stored without its push being queued, whether or not a
-- dispatcher is running. The queue itself (claim with a lease, reserve devices, record, finish)
-- is the functions at the end, which only the role the dispatcher connects as may call; the
-- dispatcher (src/lib/server/push/dispatcher.ts) does the network part and decides the backoff.

-- =============================================================================================
-- Helpers
-- =============================================================================================

-- The NOTIFY channel, named once: the outbox trigger notifies on it and the dispatcher asks this
-- function which channel to LISTEN on.
create function private.push_channel() returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
  select 'spotter_push_outbox'
$$;
comment on function private.push_channel() is 'The NOTIFY channel a new push outbox row is announced on (payload: the row id); the dispatcher LISTENs on it.';

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
  perform pg_notify(private.push_channel(), outbox_id::text);
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

revoke execute on function private.push_channel(),
  private.handle_message_enqueue_push(), private.handle_push_subscription_claim()
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

-- =============================================================================================
-- The push queue, for the dispatcher: security invoker and executable by the owner only (the role
-- the dispatcher connects as); no API role may call them. Each call is one short statement or
-- two, so no transaction is held across the network.
-- =============================================================================================

-- Claim: due rows nobody holds, oldest first. Rows another dispatcher is claiming at this moment are
-- skipped, not waited for. The lease (locked_until) keeps a row this dispatcher's until it finishes
-- or the lease runs out and another claims it; attempts numbers the claims, so the finish of an
-- older claim changes nothing. What needs no push service is finished here at once: a message read
-- meanwhile (the grace period's purpose), a recipient without devices, a sender who is gone.
create function private.push_claim(batch_size integer, lease interval)
returns table (
  outbox_id bigint,
  attempts integer,
  outcome text,
  conversation_id uuid,
  message_id uuid,
  sender_name text,
  preview text,
  unread_total integer
)
language plpgsql
set search_path = ''
as $$
declare
  claimed bigint[];
begin
  with due as (
    select o.id from private.push_outbox o
    where o.done_at is null
      and o.not_before <= now()
      and (o.locked_until is null or o.locked_until <= now())
    order by o.id
    limit greatest(push_claim.batch_size, 1)
    for update skip locked
  ), leased as (
    update private.push_outbox o
    set locked_until = now() + push_claim.lease, attempts = o.attempts + 1
    from due
    where o.id = due.id
    returning o.id
  )
  select coalesce(array_agg(l.id), '{}') into claimed from leased l;

  update private.push_outbox o
  set done_at = now(), locked_until = null, outcome = f.outcome, last_error = f.error
  from (
    select c.id,
      case when m.read_at is not null then 'read'
           when p.id is null then 'failed'
           when not exists (select 1 from public.push_subscriptions s where s.user_id = c.recipient_id)
             then 'no_devices'
      end as outcome,
      case when m.read_at is null and p.id is null then 'the sender no longer exists' end as error
    from private.push_outbox c
    join public.messages m on m.id = c.message_id
    left join public.profiles p on p.id = m.sender_id
    where c.id = any(claimed)
  ) f
  where o.id = f.id and f.outcome is not null;

  return query
  select o.id, o.attempts, o.outcome, m.conversation_id, m.id, p.display_name,
    private.message_preview(m.body), coalesce(t.total, 0)
  from private.push_outbox o
  join public.messages m on m.id = o.message_id
  left join public.profiles p on p.id = m.sender_id
  left join private.unread_totals t on t.user_id = o.recipient_id
  where o.id = any(claimed)
  order by o.id;
end;
$$;
comment on function private.push_claim(integer, interval) is 'Claims up to batch_size due outbox rows for lease (skipping rows held by another dispatcher) and returns what each push needs. Rows that need no push (read, no devices, sender gone) come back already finished, with their outcome.';

-- Reserve: each (outbox row, device) pair once, ever. A pair another dispatcher or an earlier attempt
-- holds is not returned, so no device is sent a message twice.
create function private.push_reserve(outbox_ids bigint[])
returns table (outbox_id bigint, subscription_id uuid, endpoint text, p256dh text, auth text)
language plpgsql
set search_path = ''
as $$
begin
  return query
  with reserved as (
    insert into private.push_deliveries as d (outbox_id, subscription_id)
    select o.id, s.id
    from private.push_outbox o
    join public.push_subscriptions s on s.user_id = o.recipient_id
    where o.id = any(push_reserve.outbox_ids) and o.done_at is null
    order by o.id, s.id
    on conflict do nothing
    returning d.outbox_id, d.subscription_id
  )
  select r.outbox_id, s.id, s.endpoint, s.p256dh, s.auth
  from reserved r
  join public.push_subscriptions s on s.id = r.subscription_id
  order by r.outbox_id, s.id;
end;
$$;
comment on function private.push_reserve(bigint[]) is 'Reserves every device of each undone outbox row''s recipient not reserved before, and returns the newly reserved ones with their push keys.';

-- Record what the push service answered, per device: delivered (stamped), transient (5xx, 429,
-- network: the reservation is released so the retry sends to this device), refused for good (other
-- 4xx: kept, with the reason) or gone (404, 410: the device is removed).
create function private.push_record(
  outbox_ids bigint[],
  subscription_ids uuid[],
  results text[],
  errors text[]
) returns integer
language plpgsql
set search_path = ''
as $$
declare
  removed integer;
begin
  if exists (
    select 1 from unnest(push_record.results) r (result)
    where r.result is null or r.result not in ('delivered', 'transient', 'refused', 'gone')
  ) then
    raise exception 'a push result is delivered, transient, refused or gone' using errcode = '22023';
  end if;

  update private.push_deliveries d
  set delivered_at = now()
  from unnest(push_record.outbox_ids, push_record.subscription_ids, push_record.results)
    as u (outbox_id, subscription_id, result)
  where d.outbox_id = u.outbox_id and d.subscription_id = u.subscription_id and u.result = 'delivered';
  -- Skips devices another dispatcher is touching right now: the time is informational, and waiting
  -- on it could deadlock two dispatchers delivering to the same devices.
  update public.push_subscriptions s
  set last_success_at = now()
  from (
    select s2.id from public.push_subscriptions s2
    where s2.id in (
      select u.subscription_id
      from unnest(push_record.subscription_ids, push_record.results) as u (subscription_id, result)
      where u.result = 'delivered'
    )
    order by s2.id
    for no key update skip locked
  ) l
  where s.id = l.id;

  delete from private.push_deliveries d
  using unnest(push_record.outbox_ids, push_record.subscription_ids, push_record.results)
    as u (outbox_id, subscription_id, result)
  where d.outbox_id = u.outbox_id and d.subscription_id = u.subscription_id and u.result = 'transient';

  update private.push_deliveries d
  set error = u.error
  from unnest(push_record.outbox_ids, push_record.subscription_ids, push_record.results, push_record.errors)
    as u (outbox_id, subscription_id, result, error)
  where d.outbox_id = u.outbox_id and d.subscription_id = u.subscription_id and u.result = 'refused';

  with gone as (
    delete from public.push_subscriptions s
    where s.id in (
      select u.subscription_id
      from unnest(push_record.subscription_ids, push_record.results) as u (subscription_id, result)
      where u.result = 'gone'
    )
    returning s.id
  )
  select count(*)::integer into removed from gone;
  return removed;
end;
$$;
comment on function private.push_record(bigint[], uuid[], text[], text[]) is 'Records the push service''s answer per (outbox row, device): delivered, transient (reservation released for the retry), refused (kept with the error) or gone (device removed). Returns how many devices were removed.';

-- Finish: an outbox row is done with its outcome, or (outcome null) goes back to the queue until
-- retry_in_ms from now. attempts fences the update: a dispatcher whose lease ran out and was taken
-- over does not overwrite the newer holder's bookkeeping.
create function private.push_finish(
  outbox_ids bigint[],
  attempts integer[],
  outcomes text[],
  retry_in_ms double precision[],
  errors text[]
) returns integer
language plpgsql
set search_path = ''
as $$
declare
  finished integer;
begin
  update private.push_outbox o
  set done_at = case when u.outcome is not null then now() end,
      outcome = u.outcome,
      not_before = case when u.outcome is not null then o.not_before
                        else now() + coalesce(u.retry_in_ms, 0) * interval '1 millisecond' end,
      locked_until = null,
      last_error = u.error
  from unnest(push_finish.outbox_ids, push_finish.attempts, push_finish.outcomes,
              push_finish.retry_in_ms, push_finish.errors)
    as u (id, attempts, outcome, retry_in_ms, error)
  where o.id = u.id and o.attempts = u.attempts and o.done_at is null;
  get diagnostics finished = row_count;
  return finished;
end;
$$;
comment on function private.push_finish(bigint[], integer[], text[], double precision[], text[]) is 'Ends each claimed outbox row with its outcome (sent, no_devices, failed), or schedules its retry when the outcome is null; only the claim with that attempts number may. Returns how many rows it changed.';

create function private.push_ms_until_due() returns double precision
language sql
stable
set search_path = ''
as $$
  select (extract(epoch from min(greatest(o.not_before, coalesce(o.locked_until, '-infinity'))) - now())
          * 1000)::float8
  from private.push_outbox o
  where o.done_at is null
$$;
comment on function private.push_ms_until_due() is 'Milliseconds until the next undone outbox row may be claimed, by the database''s clock (negative when one is due now; null when none is left).';

create function private.push_pending() returns integer
language sql
stable
set search_path = ''
as $$
  select count(*)::integer from private.push_outbox o where o.done_at is null
$$;
comment on function private.push_pending() is 'How many outbox rows are not done yet.';

revoke execute on function private.push_claim(integer, interval), private.push_reserve(bigint[]),
  private.push_record(bigint[], uuid[], text[], text[]),
  private.push_finish(bigint[], integer[], text[], double precision[], text[]),
  private.push_ms_until_due(), private.push_pending()
  from public, anon, authenticated, service_role;
