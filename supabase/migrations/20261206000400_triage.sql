-- Triage, per user and conversation: pin, mute, mark as unread; and the conversation list with pins
-- first, filters (unread only, archived or not, the other person's name) and the other person's
-- last seen, still one query with a keyset cursor.
--
-- What each state means, decided here once:
--   pinned         listed before every unpinned conversation; among themselves by recency.
--   muted          no push (the push claim finishes the outbox row as 'muted') and no badge: the
--                  per-user unread total leaves the conversation out. Its own unread count still shows.
--   marked unread  the conversation counts as at least 1 unread, in its row and in the total, until
--                  I read it (mark_conversation_read clears it).
-- The state is mine alone: RLS shows each user only their own rows, and the inbox event that
-- carries it goes only to my user:<id> topic.
--
-- Which layer owns which rule:
--   set_conversation_pinned, set_conversation_muted,  the conversation is one of mine (SP008,
--   mark_conversation_unread (API)                    private.refuse_conversation_not_found).
--   conversation_settings trigger                     live session (SP006), my own row, server time.
--   unread totals                                     private.unread_contribution, applied by the
--                                                     conversations trigger and the settings trigger.

-- =============================================================================================
-- Helpers
-- =============================================================================================

-- What one conversation adds to a user's unread total (the badge).
create function private.unread_contribution(unread integer, muted boolean, marked_unread boolean) returns integer
language sql
immutable
parallel safe
set search_path = ''
as $$
  select case
    when coalesce(muted, false) then 0
    else greatest(coalesce(unread, 0), case when coalesce(marked_unread, false) then 1 else 0 end)
  end
$$;
comment on function private.unread_contribution(integer, boolean, boolean) is 'What a conversation adds to its user''s unread total: nothing when muted, else its unread count, at least 1 when marked unread.';

create function private.refuse_conversation_not_found(conversation_id uuid) returns void
language plpgsql
set search_path = ''
as $$
begin
  raise exception 'conversation % not found', conversation_id using errcode = 'SP008';
end;
$$;
comment on function private.refuse_conversation_not_found(uuid) is 'Raises SP008: the conversation does not exist or the caller does not take part in it.';

-- =============================================================================================
-- Tables
-- =============================================================================================
create table public.conversation_settings (
  user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  conversation_id uuid not null references public.conversations (id) on delete cascade,
  pinned_at timestamptz,
  muted boolean not null default false,
  marked_unread boolean not null default false,
  updated_at timestamptz not null default now(),
  constraint conversation_settings_pkey primary key (user_id, conversation_id)
);
comment on table public.conversation_settings is 'Each user''s own triage of a conversation (pin, mute, marked unread), invisible to the other participant. Written through set_conversation_pinned, set_conversation_muted and mark_conversation_unread.';
comment on column public.conversation_settings.user_id is 'Whose setting it is.';
comment on column public.conversation_settings.conversation_id is 'The conversation.';
comment on column public.conversation_settings.pinned_at is 'When the user pinned it (listed first); null when not pinned.';
comment on column public.conversation_settings.muted is 'No push and no contribution to the unread total (badge) for this conversation.';
comment on column public.conversation_settings.marked_unread is 'Marked unread by the user: counts as at least one unread message until they read it.';
comment on column public.conversation_settings.updated_at is 'When the user last changed it.';

create index conversation_settings_conversation_id_idx on public.conversation_settings (conversation_id);
create index conversation_settings_pinned_idx on public.conversation_settings (user_id) where pinned_at is not null;

alter table private.push_outbox
  drop constraint push_outbox_outcome_known,
  add constraint push_outbox_outcome_known
    check (outcome in ('sent', 'read', 'no_devices', 'failed', 'deleted', 'muted'));
comment on column private.push_outbox.outcome is 'How it ended: sent (to every device), read (already read, no push), no_devices, failed (gave up after retries or refused for good; see last_error), deleted (the sender deleted the message before it was pushed) or muted (the recipient muted the conversation).';

comment on table private.unread_totals is 'Each user''s unread total (the Messages badge, inbox events, pushes): the sum over their conversations of private.unread_contribution (unread count, muted, marked unread), kept by the conversations and conversation_settings triggers so that no read adds them up. Each user reads only their own row.';

-- =============================================================================================
-- Grants
-- =============================================================================================
revoke all on public.conversation_settings from anon, authenticated;
grant select on public.conversation_settings to authenticated;
grant insert (conversation_id, pinned_at, muted, marked_unread) on public.conversation_settings to authenticated;
grant update (pinned_at, muted, marked_unread) on public.conversation_settings to authenticated;

revoke execute on function private.unread_contribution(integer, boolean, boolean),
  private.refuse_conversation_not_found(uuid)
  from public, anon, authenticated, service_role;
grant execute on function private.unread_contribution(integer, boolean, boolean),
  private.refuse_conversation_not_found(uuid)
  to authenticated;

-- =============================================================================================
-- Trigger functions
-- =============================================================================================

-- Adds delta to a user's stored total. A user being deleted keeps no total: their row goes with
-- their profile (on delete cascade), and updating it first would fail that row's foreign key check.
create function private.add_to_unread_total(owner uuid, delta integer) returns void
language plpgsql
set search_path = ''
as $$
begin
  if delta > 0 then
    insert into private.unread_totals as t (user_id, total)
    values (add_to_unread_total.owner, add_to_unread_total.delta)
    on conflict on constraint unread_totals_pkey do update set total = t.total + excluded.total;
  elsif delta < 0 then
    update private.unread_totals t
    set total = t.total + add_to_unread_total.delta
    where t.user_id = add_to_unread_total.owner
      and exists (select 1 from public.profiles p where p.id = add_to_unread_total.owner);
  end if;
end;
$$;
comment on function private.add_to_unread_total(uuid, integer) is 'Moves a change into a user''s stored unread total (private.unread_totals); called by the unread total triggers only.';

-- As in the messaging migration, with each participant's own settings applied (muted counts nothing,
-- marked unread at least 1): what the old row contributed comes off, what the new row contributes
-- goes on. Before the row is written, so every total is final when the AFTER triggers read it.
create or replace function private.handle_conversation_unread_totals() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  change record;
begin
  if tg_op = 'UPDATE'
     and (new.trainer_id, new.trainee_id, new.trainer_unread_count, new.trainee_unread_count)
         is not distinct from (old.trainer_id, old.trainee_id, old.trainer_unread_count, old.trainee_unread_count) then
    return new;
  end if;
  for change in
    select d.user_id, sum(private.unread_contribution(d.unread, s.muted, s.marked_unread) * d.sign)::integer as delta
    from (values
      (old.trainer_id, old.id, old.trainer_unread_count, -1),
      (old.trainee_id, old.id, old.trainee_unread_count, -1),
      (new.trainer_id, new.id, new.trainer_unread_count, 1),
      (new.trainee_id, new.id, new.trainee_unread_count, 1)
    ) as d (user_id, conversation_id, unread, sign)
    left join public.conversation_settings s on s.user_id = d.user_id and s.conversation_id = d.conversation_id
    where d.user_id is not null
    group by d.user_id
  loop
    perform private.add_to_unread_total(change.user_id, change.delta);
  end loop;
  return case when tg_op = 'DELETE' then old else new end;
end;
$$;
comment on function private.handle_conversation_unread_totals() is 'Moves each change of a conversation''s unread counts or participants into the participants'' unread totals (private.unread_totals), with their mute and marked-unread settings applied. Definer: no API role writes the totals.';

-- A change of my mute or marked-unread state moves my total by the difference. A settings row
-- deleted with its conversation changes nothing: the conversation's own trigger already took off
-- what it contributed.
create function private.handle_conversation_settings_unread_totals() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  owner uuid := case when tg_op = 'DELETE' then old.user_id else new.user_id end;
  conversation uuid := case when tg_op = 'DELETE' then old.conversation_id else new.conversation_id end;
  unread integer;
begin
  select case when c.trainer_id = owner then c.trainer_unread_count
              when c.trainee_id = owner then c.trainee_unread_count end
    into unread
  from public.conversations c where c.id = conversation;
  if unread is not null then
    perform private.add_to_unread_total(owner,
      private.unread_contribution(unread,
        case when tg_op = 'DELETE' then false else new.muted end,
        case when tg_op = 'DELETE' then false else new.marked_unread end)
      - private.unread_contribution(unread,
        case when tg_op = 'INSERT' then false else old.muted end,
        case when tg_op = 'INSERT' then false else old.marked_unread end));
  end if;
  return case when tg_op = 'DELETE' then old else new end;
end;
$$;
comment on function private.handle_conversation_settings_unread_totals() is 'Moves a change of mute or marked unread into the user''s unread total. Definer: no API role writes the totals.';

create function private.handle_conversation_settings_write() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if current_user = 'authenticated' then
    new.user_id := (select auth.uid());
    if new.pinned_at is not null and (tg_op = 'INSERT' or old.pinned_at is null) then
      new.pinned_at := now();
    elsif tg_op = 'UPDATE' and new.pinned_at is not null then
      new.pinned_at := old.pinned_at;
    end if;
  end if;
  new.updated_at := now();
  return new;
end;
$$;
comment on function private.handle_conversation_settings_write() is 'Stamps who and when for a triage change (pinned_at is server time).';

-- The inbox event of one conversation as one participant sees it: the row, their unread count and
-- total, and their own triage state. The other participant's state never goes to this topic.
create function private.conversation_event(conversation public.conversations, participant uuid) returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object(
    'conversation_id', conversation.id,
    'other_party_id', case when participant = conversation.trainer_id then conversation.trainee_id
                           else conversation.trainer_id end,
    'last_message_at', conversation.last_message_at,
    'last_message_preview', conversation.last_message_preview,
    'last_message_sender_id', conversation.last_message_sender_id,
    'last_message_seq', conversation.last_message_seq,
    'unread_count', private.unread_contribution(
      case when participant = conversation.trainer_id then conversation.trainer_unread_count
           when participant = conversation.trainee_id then conversation.trainee_unread_count else 0 end,
      false, s.marked_unread),
    'unread_total', coalesce((select t.total from private.unread_totals t where t.user_id = participant), 0),
    'archived_at', conversation.archived_at,
    'archived_reason', conversation.archived_reason,
    'pinned_at', s.pinned_at,
    'muted', coalesce(s.muted, false),
    'marked_unread', coalesce(s.marked_unread, false)
  )
  from (select 1) as one
  left join public.conversation_settings s
    on s.user_id = participant and s.conversation_id = conversation.id
$$;
comment on function private.conversation_event(public.conversations, uuid) is 'The conversation_changed payload for one participant: the conversation, their unread count (marked unread shows as at least 1) and total, their own pin, mute and marked-unread state.';

create or replace function private.handle_conversation_broadcast() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  participant uuid;
begin
  -- A deleted participant (now null) has no one left to tell.
  foreach participant in array array[new.trainer_id, new.trainee_id] loop
    continue when participant is null;
    perform realtime.send(
      private.conversation_event(new, participant),
      'conversation_changed',
      'user:' || participant::text,
      true
    );
  end loop;
  return null;
end;
$$;
comment on function private.handle_conversation_broadcast() is 'Tells both participants (topic user:<id>) that a conversation changed: new message, edit or delete of the newest, read, archived or restored; each with their own unread count, total and triage state.';

create function private.handle_conversation_settings_broadcast() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform realtime.send(
    private.conversation_event(c, new.user_id),
    'conversation_changed',
    'user:' || new.user_id::text,
    true
  )
  from public.conversations c
  where c.id = new.conversation_id;
  return null;
end;
$$;
comment on function private.handle_conversation_settings_broadcast() is 'Tells only the user whose triage changed (topic user:<id>), with the conversation as they see it now.';

revoke execute on function private.add_to_unread_total(uuid, integer),
  private.handle_conversation_settings_unread_totals(), private.handle_conversation_settings_write(),
  private.conversation_event(public.conversations, uuid), private.handle_conversation_settings_broadcast()
  from public, anon, authenticated, service_role;

-- =============================================================================================
-- Triggers
-- =============================================================================================
create trigger conversation_settings_before_write_stamp
  before insert or update on public.conversation_settings
  for each row execute function private.handle_conversation_settings_write();

create trigger conversation_settings_before_write_check_session
  before insert or update or delete on public.conversation_settings
  for each statement execute function private.handle_write_check_session();

create trigger conversation_settings_after_write_unread_totals
  after insert or update or delete on public.conversation_settings
  for each row execute function private.handle_conversation_settings_unread_totals();

create trigger conversation_settings_after_write_broadcast
  after insert or update on public.conversation_settings
  for each row execute function private.handle_conversation_settings_broadcast();

-- =============================================================================================
-- Row-level security
-- =============================================================================================
alter table public.conversation_settings enable row level security;

create policy "Users can see their own triage of their conversations"
  on public.conversation_settings for select
  to authenticated
  using (user_id = (select auth.uid()));

create policy "Users can triage their own conversations"
  on public.conversation_settings for insert
  to authenticated
  with check (user_id = (select auth.uid()) and private.is_conversation_participant(conversation_id));

create policy "Users can change their own triage"
  on public.conversation_settings for update
  to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

-- =============================================================================================
-- The push queue: a muted conversation is not pushed
-- =============================================================================================

-- As in the push migration, with one more outcome needing no push service: the recipient muted the
-- conversation (checked at claim time, so a row queued before the mute is skipped too).
create or replace function private.push_claim(batch_size integer, lease interval)
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
           when exists (
             select 1 from public.conversation_settings s
             where s.user_id = c.recipient_id and s.conversation_id = m.conversation_id and s.muted
           ) then 'muted'
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
comment on function private.push_claim(integer, interval) is 'Claims up to batch_size due outbox rows for lease (skipping rows held by another dispatcher) and returns what each push needs. Rows that need no push (read, muted, no devices, sender gone) come back already finished, with their outcome.';

-- =============================================================================================
-- API functions (security invoker: RLS and the triggers above decide)
-- =============================================================================================

-- As in the messaging migration; reading the conversation also ends "marked unread", and deleted
-- messages are not counted.
create or replace function public.mark_conversation_read(conversation_id uuid) returns integer
language plpgsql
security invoker
set search_path = ''
as $$
declare
  marked integer;
begin
  if not exists (select 1 from public.conversations c where c.id = mark_conversation_read.conversation_id) then
    perform private.refuse_conversation_not_found(mark_conversation_read.conversation_id);
  end if;
  update public.messages m
  set read_at = now()
  where m.conversation_id = mark_conversation_read.conversation_id
    and m.read_at is null
    and m.deleted_at is null
    and m.sender_id is distinct from (select auth.uid());
  get diagnostics marked = row_count;
  update public.conversation_settings s
  set marked_unread = false
  where s.user_id = (select auth.uid())
    and s.conversation_id = mark_conversation_read.conversation_id
    and s.marked_unread;
  return marked;
end;
$$;
comment on function public.mark_conversation_read(uuid) is 'Marks every message I received in the conversation as read, and ends my "marked unread"; returns how many messages were marked.';

create function public.set_conversation_pinned(conversation_id uuid, pinned boolean)
returns public.conversation_settings
language plpgsql
security invoker
set search_path = ''
as $$
declare
  setting public.conversation_settings;
begin
  if not exists (select 1 from public.conversations c where c.id = set_conversation_pinned.conversation_id) then
    perform private.refuse_conversation_not_found(set_conversation_pinned.conversation_id);
  end if;
  insert into public.conversation_settings as s (conversation_id, pinned_at)
  values (set_conversation_pinned.conversation_id, case when set_conversation_pinned.pinned then now() end)
  on conflict on constraint conversation_settings_pkey do update set pinned_at = excluded.pinned_at
  returning * into setting;
  return setting;
end;
$$;
comment on function public.set_conversation_pinned(uuid, boolean) is 'Pins (lists first) or unpins one of my conversations, for me only. Returns my settings for it.';

create function public.set_conversation_muted(conversation_id uuid, muted boolean)
returns public.conversation_settings
language plpgsql
security invoker
set search_path = ''
as $$
declare
  setting public.conversation_settings;
begin
  if not exists (select 1 from public.conversations c where c.id = set_conversation_muted.conversation_id) then
    perform private.refuse_conversation_not_found(set_conversation_muted.conversation_id);
  end if;
  insert into public.conversation_settings as s (conversation_id, muted)
  values (set_conversation_muted.conversation_id, coalesce(set_conversation_muted.muted, false))
  on conflict on constraint conversation_settings_pkey do update set muted = excluded.muted
  returning * into setting;
  return setting;
end;
$$;
comment on function public.set_conversation_muted(uuid, boolean) is 'Mutes or unmutes one of my conversations for me: muted, it sends me no push and adds nothing to my unread total (badge). Returns my settings for it.';

create function public.mark_conversation_unread(conversation_id uuid)
returns public.conversation_settings
language plpgsql
security invoker
set search_path = ''
as $$
declare
  setting public.conversation_settings;
begin
  if not exists (select 1 from public.conversations c where c.id = mark_conversation_unread.conversation_id) then
    perform private.refuse_conversation_not_found(mark_conversation_unread.conversation_id);
  end if;
  insert into public.conversation_settings as s (conversation_id, marked_unread)
  values (mark_conversation_unread.conversation_id, true)
  on conflict on constraint conversation_settings_pkey do update set marked_unread = true
  returning * into setting;
  return setting;
end;
$$;
comment on function public.mark_conversation_unread(uuid) is 'Marks one of my conversations unread for me: it counts as at least one unread message (row and badge) until I read it. Returns my settings for it.';

-- The list gains pins, filters and the other person's last seen; the three arguments it had keep
-- their meaning, and a cursor without before_pinned takes the pin of the conversation it names.
drop function public.list_conversations(integer, timestamptz, uuid);
create function public.list_conversations(
  page_size integer default 30,
  before_last_message_at timestamptz default null,
  before_id uuid default null,
  before_pinned boolean default null,
  unread_only boolean default false,
  archived boolean default null,
  name_query text default null
)
returns table (
  id uuid,
  other_party_id uuid,
  other_party_name text,
  other_party_avatar_url text,
  other_party_role public.user_role,
  last_message_at timestamptz,
  last_message_preview text,
  last_message_sender_id uuid,
  last_message_seq bigint,
  unread_count integer,
  archived_at timestamptz,
  archived_reason text,
  pinned_at timestamptz,
  muted boolean,
  marked_unread boolean,
  other_party_last_seen_at timestamptz
)
language plpgsql
stable
security invoker
set search_path = ''
as $$
-- One statement. Order: pinned first, then last_message_at, then id, all descending; the cursor
-- is the last row's (pinned, last_message_at, id). The pinned ones come from my (few) settings
-- rows, the others from one index walk per side of the pair (trainer, trainee) that stops once it
-- has a page of rows passing the filters. plpgsql, not sql: its plan is kept for the session.
#variable_conflict use_column
begin
  return query
  with cursor_at as (
    select
      case
        when list_conversations.before_id is null and list_conversations.before_last_message_at is null then 2
        when coalesce(list_conversations.before_pinned, exists (
          select 1 from public.conversation_settings s
          where s.user_id = (select auth.uid()) and s.conversation_id = list_conversations.before_id
            and s.pinned_at is not null)) then 1
        else 0
      end as pin,
      coalesce(list_conversations.before_last_message_at, 'infinity'::timestamptz) as at,
      coalesce(list_conversations.before_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid) as id
  ), wanted as (
    select least(greatest(list_conversations.page_size, 1), 100) as n,
      nullif(private.search_fold(private.trim_blank(coalesce(list_conversations.name_query, ''))), '') as name
  ), page as (
    -- My pinned conversations (their cursor part is the pin itself).
    (select c.*, 1 as pin, c.trainer_id = (select auth.uid()) as mine_as_trainer, s.pinned_at as my_pinned_at,
       s.muted as my_muted, s.marked_unread as my_marked_unread
     from public.conversation_settings s
     join public.conversations c on c.id = s.conversation_id
     where s.user_id = (select auth.uid()) and s.pinned_at is not null
       and (1, c.last_message_at, c.id) < (
         (select k.pin from cursor_at k), (select k.at from cursor_at k), (select k.id from cursor_at k))
       and (list_conversations.archived is null or (c.archived_at is not null) = list_conversations.archived)
       and (not coalesce(list_conversations.unread_only, false) or s.marked_unread
            or (case when c.trainer_id = (select auth.uid()) then c.trainer_unread_count
                     else c.trainee_unread_count end) > 0)
       and ((select w.name from wanted w) is null
            or exists (
              select 1 from public.profiles o
              where o.id = case when c.trainer_id = (select auth.uid()) then c.trainee_id else c.trainer_id end
                and strpos(private.search_fold(o.display_name), (select w.name from wanted w)) > 0))
     order by c.last_message_at desc, c.id desc
     limit (select w.n from wanted w))
    union all
    -- The unpinned ones where I am the trainer: the index walk, newest first.
    (select c.*, 0, true, null::timestamptz, coalesce(s.muted, false), coalesce(s.marked_unread, false)
     from public.conversations c
     left join public.conversation_settings s on s.user_id = (select auth.uid()) and s.conversation_id = c.id
     where c.trainer_id = (select auth.uid())
       -- An anti-join, not "s.pinned_at is null": the planner estimates it as keeping almost every
       -- row, so it walks the list index newest first and stops at a page (flat at any size).
       and not exists (
         select 1 from public.conversation_settings p
         where p.user_id = (select auth.uid()) and p.conversation_id = c.id and p.pinned_at is not null)
       and (c.last_message_at, c.id) < (
         case when (select k.pin from cursor_at k) = 0 then (select k.at from cursor_at k)
              else 'infinity'::timestamptz end,
         case when (select k.pin from cursor_at k) = 0 then (select k.id from cursor_at k)
              else 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid end)
       and (list_conversations.archived is null or (c.archived_at is not null) = list_conversations.archived)
       and (not coalesce(list_conversations.unread_only, false) or c.trainer_unread_count > 0
            or coalesce(s.marked_unread, false))
       and ((select w.name from wanted w) is null
            or exists (
              select 1 from public.profiles o
              where o.id = c.trainee_id
                and strpos(private.search_fold(o.display_name), (select w.name from wanted w)) > 0))
     order by c.last_message_at desc, c.id desc
     limit (select w.n from wanted w))
    union all
    -- The unpinned ones where I am the trainee.
    (select c.*, 0, false, null::timestamptz, coalesce(s.muted, false), coalesce(s.marked_unread, false)
     from public.conversations c
     left join public.conversation_settings s on s.user_id = (select auth.uid()) and s.conversation_id = c.id
     where c.trainee_id = (select auth.uid())
       and not exists (
         select 1 from public.conversation_settings p
         where p.user_id = (select auth.uid()) and p.conversation_id = c.id and p.pinned_at is not null)
       and (c.last_message_at, c.id) < (
         case when (select k.pin from cursor_at k) = 0 then (select k.at from cursor_at k)
              else 'infinity'::timestamptz end,
         case when (select k.pin from cursor_at k) = 0 then (select k.id from cursor_at k)
              else 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid end)
       and (list_conversations.archived is null or (c.archived_at is not null) = list_conversations.archived)
       and (not coalesce(list_conversations.unread_only, false) or c.trainee_unread_count > 0
            or coalesce(s.marked_unread, false))
       and ((select w.name from wanted w) is null
            or exists (
              select 1 from public.profiles o
              where o.id = c.trainer_id
                and strpos(private.search_fold(o.display_name), (select w.name from wanted w)) > 0))
     order by c.last_message_at desc, c.id desc
     limit (select w.n from wanted w))
  ), top as (
    select p.* from page p
    order by p.pin desc, p.last_message_at desc, p.id desc
    limit (select w.n from wanted w)
  )
  select t.id,
    case when t.mine_as_trainer then t.trainee_id else t.trainer_id end,
    o.display_name, o.avatar_url, o.role,
    t.last_message_at, t.last_message_preview, t.last_message_sender_id, t.last_message_seq,
    private.unread_contribution(
      case when t.mine_as_trainer then t.trainer_unread_count else t.trainee_unread_count end,
      false, t.my_marked_unread),
    t.archived_at, t.archived_reason,
    t.my_pinned_at, t.my_muted, t.my_marked_unread, l.seen_at
  from top t
  left join public.profiles o on o.id = case when t.mine_as_trainer then t.trainee_id else t.trainer_id end
  left join public.last_seen l on l.user_id = case when t.mine_as_trainer then t.trainee_id else t.trainer_id end
  order by t.pin desc, t.last_message_at desc, t.id desc;
end;
$$;
comment on function public.list_conversations(integer, timestamptz, uuid, boolean, boolean, boolean, text) is 'My conversations: pinned first, then newest first; one page (max 100) after the keyset cursor (before_pinned, before_last_message_at, before_id). Filters: unread_only, archived (null: all, false: active, true: archived), name_query (the other person''s name, accents and case ignored). Each row: the other party and their last seen, preview, time, my unread count and my own pin, mute and marked-unread state. One query whatever the number of conversations.';

revoke execute on function public.set_conversation_pinned(uuid, boolean), public.set_conversation_muted(uuid, boolean),
  public.mark_conversation_unread(uuid),
  public.list_conversations(integer, timestamptz, uuid, boolean, boolean, boolean, text)
  from public, anon;
grant execute on function public.set_conversation_pinned(uuid, boolean), public.set_conversation_muted(uuid, boolean),
  public.mark_conversation_unread(uuid),
  public.list_conversations(integer, timestamptz, uuid, boolean, boolean, boolean, text)
  to authenticated;
