-- The send path, cheaper (issue 16): what a sent message costs beyond a bare insert of its row.
-- Nothing a client observes changes — the same rows, events, pushes, search words, counters and
-- errors in the same transaction — only how the database gets there (bench/README.md, "Send path
-- alone").
--
-- Sections: small helpers with a cached plan; queries with a cached plan; the inbox events from one
-- query; unread totals; a new message's effects in one trigger; one plan per statement on the send path.

-- Small helpers with a cached plan
-- =============================================================================================
-- A `language sql` function with a `set` clause is never inlined, and Postgres (before 18) keeps
-- no plan for its body across statements: each call from a trigger or a check constraint parsed
-- and planned it again. These small, immutable helpers run several times per sent message (the
-- body checks, the preview, the search words, the unread contributions), so they are restated as
-- `language plpgsql`, whose expressions are planned once per session and then evaluated on
-- PL/pgSQL's fast path. They keep `set search_path = ''` (the advisors' function_search_path_mutable
-- rule, and this project's) and schema-qualify every function and operator as before. Same results,
-- same grants and comments.

create or replace function private.blank_pattern() returns text
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
begin
  return '['
      -- White_Space
      operator(pg_catalog.||) '\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000'
      -- Cf (format characters)
      operator(pg_catalog.||) '\u00AD\u0600-\u0605\u061C\u06DD\u070F\u0890-\u0891\u08E2\u180E\u200B-\u200F\u202A-\u202E'
      operator(pg_catalog.||) '\u2060-\u2064\u2066-\u206F\uFEFF\uFFF9-\uFFFB\U000110BD\U000110CD\U00013430-\U0001343F'
      operator(pg_catalog.||) '\U0001BCA0-\U0001BCA3\U0001D173-\U0001D17A\U000E0001\U000E0020-\U000E007F'
      -- invisible fillers
      operator(pg_catalog.||) '\u115F\u1160\u3164\uFFA0\u2800'
      operator(pg_catalog.||) ']';
end
$$;

create or replace function private.is_blank(value text) returns boolean
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
begin
  return value operator(pg_catalog.~)
      ('^' operator(pg_catalog.||) private.blank_pattern() operator(pg_catalog.||) '*$');
end
$$;

create or replace function private.trim_blank(value text) returns text
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
begin
  return pg_catalog.regexp_replace(
      pg_catalog.regexp_replace(value, '^' operator(pg_catalog.||) private.blank_pattern() operator(pg_catalog.||) '+', ''),
      private.blank_pattern() operator(pg_catalog.||) '+$', '');
end
$$;

create or replace function private.message_body_max_length() returns integer
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
begin
  return 2000;
end
$$;

create or replace function private.attachment_max_count() returns integer
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
begin
  return 10;
end
$$;

create or replace function private.message_preview(body text) returns text
language plpgsql
immutable
set search_path = ''
as $$
begin
  return pg_catalog.left(pg_catalog.regexp_replace(body, '\s+', ' ', 'g'), 140);
end
$$;

create or replace function private.message_search_vector(body text) returns tsvector
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
begin
  return pg_catalog.to_tsvector('private.message_search'::pg_catalog.regconfig, body);
end
$$;

create or replace function private.unread_contribution(unread integer, muted boolean, marked_unread boolean) returns integer
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
begin
  return case
      when coalesce(muted, false) then 0
      else greatest(coalesce(unread, 0), case when coalesce(marked_unread, false) then 1 else 0 end)
    end;
end
$$;

-- Queries with a cached plan
-- =============================================================================================
-- The inbox event (twice per sent message) and the rate limit (once) are queries, so they cannot
-- be inlined; as `language plpgsql` their plan is kept for the session instead of being made
-- again on every call. Same bodies, results, grants and comments.

create or replace function private.conversation_event(conversation public.conversations, participant uuid) returns jsonb
language plpgsql
stable
set search_path = ''
as $$
begin
  return (
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
  );
end;
$$;

create or replace function private.sending_resumes_at_for(sender uuid, this_send uuid default null) returns timestamptz
language plpgsql
stable
set search_path = ''
as $$
begin
  return (
    select r.resumes_at
    from (
      select min(m.created_at) + interval '1 minute' as resumes_at
      from public.messages m
      where m.sender_id = sending_resumes_at_for.sender
        and m.created_at > clock_timestamp() - interval '1 minute'
        and coalesce(m.broadcast_id, m.id) is distinct from sending_resumes_at_for.this_send
      group by coalesce(m.broadcast_id, m.id)
      order by 1 desc
      limit 1 offset 29
    ) r
    where r.resumes_at > clock_timestamp()
  );
end;
$$;

-- The inbox events: both participants from one query
-- =============================================================================================
-- Every sent message updates its conversation, and that update tells both participants. Their two
-- payloads now come from one query (private.conversation_events); private.conversation_event, which
-- the triage broadcast uses for one user, reads the same function, so the payload is defined once.

create function private.conversation_events(conversation public.conversations, participants uuid[])
returns table (participant uuid, payload jsonb)
language plpgsql
stable
set search_path = ''
as $$
begin
  return query
  select p.id, jsonb_build_object(
      'conversation_id', conversation.id,
      'other_party_id', case when p.id = conversation.trainer_id then conversation.trainee_id
                             else conversation.trainer_id end,
      'last_message_at', conversation.last_message_at,
      'last_message_preview', conversation.last_message_preview,
      'last_message_sender_id', conversation.last_message_sender_id,
      'last_message_seq', conversation.last_message_seq,
      'unread_count', private.unread_contribution(
        case when p.id = conversation.trainer_id then conversation.trainer_unread_count
             when p.id = conversation.trainee_id then conversation.trainee_unread_count else 0 end,
        false, s.marked_unread),
      'unread_total', coalesce(t.total, 0),
      'archived_at', conversation.archived_at,
      'archived_reason', conversation.archived_reason,
      'pinned_at', s.pinned_at,
      'muted', coalesce(s.muted, false),
      'marked_unread', coalesce(s.marked_unread, false)
    )
  from unnest(participants) with ordinality as p(id, ord)
  left join public.conversation_settings s on s.user_id = p.id and s.conversation_id = conversation.id
  left join private.unread_totals t on t.user_id = p.id
  where p.id is not null
  order by p.ord;
end;
$$;
comment on function private.conversation_events(public.conversations, uuid[]) is 'The conversation_changed payload for each of the given participants, in their order (nulls left out): the conversation, their unread count (marked unread shows as at least 1) and total, their own pin, mute and marked-unread state.';

create or replace function private.conversation_event(conversation public.conversations, participant uuid) returns jsonb
language plpgsql
stable
set search_path = ''
as $$
begin
  return (select e.payload from private.conversation_events(conversation, array[participant]) e);
end;
$$;

create or replace function private.handle_conversation_broadcast() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  event record;
begin
  -- A deleted participant (now null) has no one left to tell.
  for event in select * from private.conversation_events(new, array[new.trainer_id, new.trainee_id]) loop
    perform realtime.send(event.payload, 'conversation_changed', 'user:' || event.participant::text, true);
  end loop;
  return null;
end;
$$;

revoke execute on function private.conversation_events(public.conversations, uuid[])
  from public, anon, authenticated, service_role;

-- Unread totals: a new message moves one participant's total
-- =============================================================================================
-- The common update (a message sent or read: the same pair, one side's count changed) moves only
-- the totals of the sides whose count changed; any other change goes through the general sum over
-- the old and new participants as before.

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
  if tg_op = 'UPDATE' and (new.id, new.trainer_id, new.trainee_id) is not distinct from (old.id, old.trainer_id, old.trainee_id) then
    for change in
      select d.user_id,
        private.unread_contribution(d.now_unread, s.muted, s.marked_unread)
          - private.unread_contribution(d.was_unread, s.muted, s.marked_unread) as delta
      from (values
        (new.trainer_id, old.trainer_unread_count, new.trainer_unread_count),
        (new.trainee_id, old.trainee_unread_count, new.trainee_unread_count)
      ) as d (user_id, was_unread, now_unread)
      left join public.conversation_settings s on s.user_id = d.user_id and s.conversation_id = new.id
      where d.user_id is not null and d.was_unread is distinct from d.now_unread
    loop
      perform private.add_to_unread_total(change.user_id, change.delta);
    end loop;
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

-- A new message's effects after its row: one trigger instead of three
-- =============================================================================================
-- messages_after_insert_broadcast, messages_after_insert_enqueue_push and the insert half of
-- messages_after_write_search each looked the conversation up and paid a trigger call of their
-- own; one trigger now does the three in the same order (the message_created event, the push
-- outbox row, the search words). Edits and deletes keep their search trigger.

create function private.handle_message_created() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  conv record;
  recipient uuid;
  outbox_id bigint;
begin
  perform realtime.send(
    jsonb_build_object(
      'message', to_jsonb(new),
      'attachments', case when new.attachment_count > 0 then private.message_attachments_json(new.id) else '[]'::jsonb end
    ),
    'message_created',
    'conversation:' || new.conversation_id::text,
    true
  );

  select c.trainer_id, c.trainee_id into conv from public.conversations c where c.id = new.conversation_id;
  if not found then
    return null;
  end if;

  -- The push outbox row for the recipient of an unread message.
  if new.read_at is null then
    recipient := case when conv.trainer_id = new.sender_id then conv.trainee_id else conv.trainer_id end;
    if recipient is not null then
      insert into private.push_outbox (message_id, recipient_id, created_at, not_before)
      values (new.id, recipient, new.created_at, new.created_at + interval '2 seconds')
      returning id into outbox_id;
      -- Wakes a listening dispatcher after commit; the interval sweep covers a dispatcher that was down.
      perform pg_notify(private.push_channel(), outbox_id::text);
    end if;
  end if;

  -- The searchable words.
  if new.deleted_at is null then
    insert into private.message_search (message_id, conversation_id, trainer_id, trainee_id, created_at, words)
    values (new.id, new.conversation_id, conv.trainer_id, conv.trainee_id, new.created_at,
      private.message_search_vector(new.body));
  end if;
  return null;
end;
$$;
comment on function private.handle_message_created() is 'What a new message sets off after its row is written, in order: the message_created broadcast with its attachments ({message, attachments}) on conversation:<id>, the push outbox row for the recipient of an unread message (and a wake-up notification), the searchable words. Definer: no API role writes realtime.messages, the outbox or the search table.';

revoke execute on function private.handle_message_created() from public, anon, authenticated, service_role;

drop trigger messages_after_insert_broadcast on public.messages;
drop trigger messages_after_insert_enqueue_push on public.messages;
drop trigger messages_after_write_search on public.messages;

create trigger messages_after_insert_publish
  after insert on public.messages
  for each row execute function private.handle_message_created();
comment on trigger messages_after_insert_publish on public.messages is 'Broadcasts the new message, queues its push and indexes its words (private.handle_message_created).';

create trigger messages_after_update_search
  after update of body, deleted_at on public.messages
  for each row execute function private.handle_message_search();
comment on trigger messages_after_update_search on public.messages is 'Re-indexes an edited message''s words, or drops a deleted message''s (private.handle_message_search).';

drop function private.handle_message_broadcast();
drop function private.handle_message_enqueue_push();

-- One plan per statement on the send path
-- =============================================================================================
-- A PL/pgSQL statement's plan is cached, but with parameters the plan cache first plans it again
-- for each call's values (and keeps doing so when it judges that cheaper): measured, the send path's
-- own statements — the send's targets, the trigger's checks and the rate limit — were planned on
-- every send. Their plans do not depend on the values (key lookups), so the send path keeps the
-- generic plan: a function's setting holds for everything it runs, so send_as's covers the message
-- insert and every trigger it fires, and the insert trigger's covers an insert made without send_as
-- (bench/README.md, "Send path alone").
alter function private.send_as(uuid, uuid[], uuid[], text, uuid, jsonb, uuid) set plan_cache_mode = force_generic_plan;
alter function private.handle_message_before_insert() set plan_cache_mode = force_generic_plan;
