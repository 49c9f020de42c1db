-- Send a broadcast later: a trainer schedules one message (text with {first_name}, and files uploaded
-- to attachments/<trainer id>/<broadcast id>/) to several of their trainees for a time; the job
-- spotter-send-due-messages sends it then as an ordinary broadcast — public.broadcasts row, one 1:1
-- copy per trainee through private.send_as, one send against the rate limit — and records each
-- recipient's outcome, or marks it failed with the reason.
--
-- Which layer owns which rule (the codes are in private.error_codes):
--   schedule_broadcast (API, definer)    a live session (SP006), arguments present (SP009), only
--                                        trainers (SP301), 1 to private.broadcast_max_recipients()
--                                        recipients (SP303), each their trainee now (SP001), the id
--                                        not another broadcast's (SP302; a retry returns the stored
--                                        row), a future time (SP304), the body (SP003, SP004; empty
--                                        with files) and the files (SP201–SP203). Definer: the files
--                                        are checked by private.checked_attachments, which no API
--                                        role may run.
--   scheduled_broadcasts write trigger   edits through PostgREST: body and send_at while scheduled
--   (handle_scheduled_broadcast_write)   (SP305), the time in the future, the body; or cancelling.
--   private.send_due_broadcasts (job)    due rows claimed FOR UPDATE SKIP LOCKED, each in its own
--                                        subtransaction through private.send_as with the checks of
--                                        that moment: a trainee unlinked meanwhile is skipped and
--                                        recorded (not_linked); nobody left, or any refusal, marks it
--                                        failed with the reason; the rate limit leaves it for the
--                                        next run.
--
-- Also here: SP302, SP303 and SP305 move into helper functions (each code is raised from one place),
-- so broadcast_message and the scheduled-message trigger are restated calling them, unchanged
-- otherwise; and the hourly removal of unattached uploads keeps the files of a broadcast that is
-- still scheduled (no message references them until it is sent).

-- =============================================================================================
-- Refusals shared by sending and scheduling
-- =============================================================================================
create function private.refuse_broadcast_id_taken(broadcast_id uuid) returns void
language plpgsql
set search_path = ''
as $$
begin
  raise exception 'broadcast id % is already used', broadcast_id using errcode = 'SP302';
end;
$$;
comment on function private.refuse_broadcast_id_taken(uuid) is 'Raises SP302: the broadcast id is already another trainer''s broadcast, or another scheduled broadcast.';

create function private.refuse_broadcast_size(recipient_count integer) returns void
language plpgsql
set search_path = ''
as $$
begin
  raise exception 'a broadcast goes to between 1 and % trainees (this one: %)',
    private.broadcast_max_recipients(), recipient_count
    using errcode = 'SP303';
end;
$$;
comment on function private.refuse_broadcast_size(integer) is 'Raises SP303: a broadcast needs between 1 and private.broadcast_max_recipients() recipients.';

create function private.refuse_schedule_closed(status text) returns void
language plpgsql
set search_path = ''
as $$
begin
  raise exception 'this message is already %: it can no longer be changed', status using errcode = 'SP305';
end;
$$;
comment on function private.refuse_schedule_closed(text) is 'Raises SP305: a scheduled message or broadcast is already sent, failed or cancelled.';

revoke execute on function private.refuse_broadcast_id_taken(uuid), private.refuse_broadcast_size(integer),
  private.refuse_schedule_closed(text)
  from public, anon, authenticated, service_role;
-- The scheduled-message and scheduled-broadcast write triggers run as the caller.
grant execute on function private.refuse_schedule_closed(text) to authenticated;

update private.error_codes
set meaning = 'The broadcast id is already used by another trainer''s broadcast, or by a scheduled broadcast to other trainees (private.refuse_broadcast_id_taken: broadcast_message, schedule_broadcast, the job).'
where code = 'SP302';
update private.error_codes
set meaning = 'A broadcast needs between 1 and private.broadcast_max_recipients() recipients (private.refuse_broadcast_size: broadcast_message, schedule_broadcast).'
where code = 'SP303';
update private.error_codes
set meaning = 'The scheduled message or broadcast is already sent, failed or cancelled: it can no longer be changed (private.refuse_schedule_closed, from their write triggers).'
where code = 'SP305';
update private.error_codes
set meaning = 'A required argument is missing: recipient_id or message_id (send_message), recipient_ids or broadcast_id (broadcast_message), send_at (schedule_message, schedule_broadcast) (private.refuse_missing_arguments).'
where code = 'SP009';

-- =============================================================================================
-- Restated with the helpers (same rules)
-- =============================================================================================
create or replace function public.broadcast_message(
  recipient_ids uuid[],
  body text,
  broadcast_id uuid,
  attachments jsonb default '[]'::jsonb
)
returns table (recipient_id uuid, conversation_id uuid, message_id uuid, outcome text)
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  me uuid := (select auth.uid());
  recipients uuid[];
  existing public.broadcasts;
begin
  if me is null then
    raise exception 'sign in to send messages' using errcode = '42501';
  end if;
  if broadcast_message.broadcast_id is null or broadcast_message.recipient_ids is null then
    perform private.refuse_missing_arguments('recipient_ids and broadcast_id are');
  end if;
  if not exists (select 1 from public.profiles p where p.id = me and p.role = 'trainer') then
    perform private.refuse_not_trainer();
  end if;
  select array_agg(distinct r) into recipients
  from unnest(broadcast_message.recipient_ids) r where r is not null;
  if coalesce(cardinality(recipients), 0) not between 1 and private.broadcast_max_recipients() then
    perform private.refuse_broadcast_size(coalesce(cardinality(recipients), 0));
  end if;

  perform pg_advisory_xact_lock(hashtextextended(broadcast_message.broadcast_id::text, 0));
  select * into existing from public.broadcasts b where b.id = broadcast_message.broadcast_id;
  if found and existing.trainer_id is distinct from me then
    perform private.refuse_broadcast_id_taken(broadcast_message.broadcast_id);
  end if;
  if not found then
    insert into public.broadcasts (id, trainer_id, body, attachments, recipient_count)
    values (broadcast_message.broadcast_id, me, coalesce(broadcast_message.body, ''),
      coalesce(broadcast_message.attachments, '[]'::jsonb), cardinality(recipients));
  end if;

  -- Each copy's id follows from the broadcast and the recipient, so a retry finds what it sent.
  return query
  select s.recipient_id, s.conversation_id, s.message_id, s.outcome
  from private.send_as(
    me,
    recipients,
    array(select private.broadcast_copy_id(broadcast_message.broadcast_id, r) from unnest(recipients) r),
    broadcast_message.body,
    null,
    broadcast_message.attachments,
    broadcast_message.broadcast_id
  ) s;
end;
$$;

-- The id of a broadcast's copy to one recipient (as broadcast_message has always made it).
create function private.broadcast_copy_id(broadcast_id uuid, recipient_id uuid) returns uuid
language sql
immutable
parallel safe
set search_path = ''
as $$
  select md5(broadcast_id::text || ':' || recipient_id::text)::uuid
$$;
comment on function private.broadcast_copy_id(uuid, uuid) is 'The message id of a broadcast''s copy to one recipient: md5(broadcast id:recipient id), so a retry (or the scheduled send) finds what was sent.';
revoke execute on function private.broadcast_copy_id(uuid, uuid) from public, anon, authenticated, service_role;

create or replace function private.handle_scheduled_message_write() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  if current_user <> 'authenticated' then
    return new;
  end if;
  if tg_op = 'INSERT' then
    new.trainer_id := (select auth.uid());
    new.status := 'scheduled';
    new.failure := null;
    new.sent_at := null;
    new.created_at := now();
    if not exists (select 1 from public.profiles p where p.id = new.trainer_id and p.role = 'trainer') then
      perform private.refuse_not_trainer();
    end if;
    if not exists (select 1 from public.profiles p where p.id = new.recipient_id and p.trainer_id = new.trainer_id) then
      perform private.refuse_not_linked();
    end if;
  else
    if old.status <> 'scheduled' then
      perform private.refuse_schedule_closed(old.status);
    end if;
    if new.status not in ('scheduled', 'cancelled') then
      raise exception 'a scheduled message can only be cancelled' using errcode = '42501';
    end if;
    if new.status = 'cancelled' then
      return new;
    end if;
  end if;
  if new.send_at is null or new.send_at <= now() then
    perform private.refuse_time_in_the_past(new.send_at);
  end if;
  new.body := private.checked_message_body(new.body);
  return new;
end;
$$;

-- =============================================================================================
-- Table
-- =============================================================================================
create table public.scheduled_broadcasts (
  id uuid primary key,
  trainer_id uuid not null references public.profiles (id) on delete cascade,
  recipient_ids uuid[] not null,
  body text not null,
  attachments jsonb not null default '[]'::jsonb,
  send_at timestamptz not null,
  status text not null default 'scheduled',
  failure text,
  outcomes jsonb,
  sent_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint scheduled_broadcasts_status_known check (status in ('scheduled', 'sent', 'failed', 'cancelled')),
  constraint scheduled_broadcasts_failure_when_failed check ((status = 'failed') = (failure is not null)),
  constraint scheduled_broadcasts_sent_at_when_sent check ((status = 'sent') = (sent_at is not null)),
  constraint scheduled_broadcasts_outcomes_when_sent check ((status = 'sent') = (outcomes is not null)),
  constraint scheduled_broadcasts_recipient_count check (cardinality(recipient_ids) >= 1)
);
comment on table public.scheduled_broadcasts is 'Broadcasts a trainer scheduled for later (schedule_broadcast). The job spotter-send-due-messages sends each at its time as an ordinary broadcast (public.broadcasts, messages.broadcast_id) with the same id.';
comment on column public.scheduled_broadcasts.id is 'The broadcast id it will have once sent (chosen by the trainer''s device, so a retry schedules nothing twice).';
comment on column public.scheduled_broadcasts.trainer_id is 'The trainer who scheduled it (the sender).';
comment on column public.scheduled_broadcasts.recipient_ids is 'The trainees picked (distinct); each must still be linked when it is sent.';
comment on column public.scheduled_broadcasts.body is 'The text as written, {first_name} filled in per trainee when sent; empty only with attachments.';
comment on column public.scheduled_broadcasts.attachments is 'The attachment items (paths under <trainer id>/<broadcast id>/), checked when scheduled and again when sent.';
comment on column public.scheduled_broadcasts.send_at is 'When to send it; editable while scheduled, always in the future.';
comment on column public.scheduled_broadcasts.status is 'scheduled (waiting), sent, failed (see failure) or cancelled (by the trainer).';
comment on column public.scheduled_broadcasts.failure is 'Why it could not be sent (e.g. none of the trainees is still linked), when failed.';
comment on column public.scheduled_broadcasts.outcomes is 'Once sent: each recipient''s outcome as broadcast_message returns it, [{recipient_id, message_id, outcome: sent | already_sent | not_linked}].';
comment on column public.scheduled_broadcasts.sent_at is 'When it was actually sent (later than send_at if the job runner was down).';
comment on column public.scheduled_broadcasts.created_at is 'When it was scheduled.';
comment on column public.scheduled_broadcasts.updated_at is 'When it last changed.';

create index scheduled_broadcasts_due_idx on public.scheduled_broadcasts (send_at) where status = 'scheduled';
create index scheduled_broadcasts_trainer_list_idx on public.scheduled_broadcasts (trainer_id, send_at desc);

revoke all on public.scheduled_broadcasts from anon, authenticated;
grant select on public.scheduled_broadcasts to authenticated;
grant update (body, send_at, status) on public.scheduled_broadcasts to authenticated;

alter table public.scheduled_broadcasts enable row level security;

create policy "Trainers can see their scheduled broadcasts"
  on public.scheduled_broadcasts for select
  to authenticated
  using (trainer_id = (select auth.uid()));

create policy "Trainers can edit and cancel their scheduled broadcasts"
  on public.scheduled_broadcasts for update
  to authenticated
  using (trainer_id = (select auth.uid()))
  with check (trainer_id = (select auth.uid()));

-- =============================================================================================
-- Trigger
-- =============================================================================================

-- A message with files may have no text (as the send path allows); without files the sending rules.
create function private.checked_broadcast_body(body text, attachments jsonb) returns text
language sql
stable
set search_path = ''
as $$
  select case
    when jsonb_array_length(coalesce(attachments, '[]'::jsonb)) > 0
      and private.is_blank(coalesce(private.trim_blank(body), '')) then ''
    else private.checked_message_body(body)
  end
$$;
comment on function private.checked_broadcast_body(text, jsonb) is 'A broadcast''s body as the send path will take it: empty when it has files and no text, else private.checked_message_body (SP003, SP004).';

-- Edits by an API caller (inserts come only from schedule_broadcast, a definer, which checks them).
-- Invoker: runs as the caller, whose rows RLS shows.
create function private.handle_scheduled_broadcast_write() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  if current_user <> 'authenticated' then
    return new;
  end if;
  if old.status <> 'scheduled' then
    perform private.refuse_schedule_closed(old.status);
  end if;
  if new.status not in ('scheduled', 'cancelled') then
    raise exception 'a scheduled broadcast can only be cancelled' using errcode = '42501';
  end if;
  if new.status = 'cancelled' then
    return new;
  end if;
  if new.send_at is null or new.send_at <= now() then
    perform private.refuse_time_in_the_past(new.send_at);
  end if;
  new.body := private.checked_broadcast_body(new.body, new.attachments);
  return new;
end;
$$;
comment on function private.handle_scheduled_broadcast_write() is 'Checks an API edit of a scheduled broadcast: only while scheduled (SP305), body and time (in the future, SP304; the sending body rules) or cancelling.';

revoke execute on function private.checked_broadcast_body(text, jsonb), private.handle_scheduled_broadcast_write()
  from public, anon, authenticated, service_role;
grant execute on function private.checked_broadcast_body(text, jsonb) to authenticated;

create trigger scheduled_broadcasts_before_update_check
  before update on public.scheduled_broadcasts
  for each row execute function private.handle_scheduled_broadcast_write();

create trigger scheduled_broadcasts_before_update_check_session
  before update on public.scheduled_broadcasts
  for each statement execute function private.handle_write_check_session();

-- =============================================================================================
-- API function
-- =============================================================================================
create function public.schedule_broadcast(
  recipient_ids uuid[],
  body text,
  broadcast_id uuid,
  send_at timestamptz,
  attachments jsonb default '[]'::jsonb
)
returns public.scheduled_broadcasts
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := (select auth.uid());
  recipients uuid[];
  row public.scheduled_broadcasts;
  files jsonb := coalesce(schedule_broadcast.attachments, '[]'::jsonb);
begin
  if me is null then
    raise exception 'sign in to send messages' using errcode = '42501';
  end if;
  perform private.assert_live_session();
  if schedule_broadcast.broadcast_id is null or schedule_broadcast.recipient_ids is null
     or schedule_broadcast.send_at is null then
    perform private.refuse_missing_arguments('recipient_ids, broadcast_id and send_at are');
  end if;
  if not exists (select 1 from public.profiles p where p.id = me and p.role = 'trainer') then
    perform private.refuse_not_trainer();
  end if;
  select array_agg(distinct r order by r) into recipients
  from unnest(schedule_broadcast.recipient_ids) r where r is not null;
  if coalesce(cardinality(recipients), 0) not between 1 and private.broadcast_max_recipients() then
    perform private.refuse_broadcast_size(coalesce(cardinality(recipients), 0));
  end if;

  perform pg_advisory_xact_lock(hashtextextended(schedule_broadcast.broadcast_id::text, 0));
  -- The same id again: a retry (same trainer, same trainees) returns what is stored.
  select * into row from public.scheduled_broadcasts s where s.id = schedule_broadcast.broadcast_id;
  if found then
    if row.trainer_id = me and row.recipient_ids = recipients then
      return row;
    end if;
    perform private.refuse_broadcast_id_taken(schedule_broadcast.broadcast_id);
  end if;
  if exists (select 1 from public.broadcasts b where b.id = schedule_broadcast.broadcast_id) then
    perform private.refuse_broadcast_id_taken(schedule_broadcast.broadcast_id);
  end if;

  if exists (
    select 1 from unnest(recipients) r
    where not exists (select 1 from public.profiles p where p.id = r and p.trainer_id = me)
  ) then
    perform private.refuse_not_linked();
  end if;
  if schedule_broadcast.send_at <= now() then
    perform private.refuse_time_in_the_past(schedule_broadcast.send_at);
  end if;
  -- The files are checked now (a mistake shows while the trainer is there) and again when sent.
  perform private.checked_attachments(me, schedule_broadcast.broadcast_id, files);

  insert into public.scheduled_broadcasts (id, trainer_id, recipient_ids, body, attachments, send_at)
  values (schedule_broadcast.broadcast_id, me, recipients,
    private.checked_broadcast_body(schedule_broadcast.body, files), files, schedule_broadcast.send_at)
  returning * into row;
  return row;
end;
$$;
comment on function public.schedule_broadcast(uuid[], text, uuid, timestamptz, jsonb) is 'Schedules a broadcast to my trainees picked for send_at (in the future): then it is sent as broadcast_message would send it (one 1:1 message each, {first_name} filled in, files I uploaded to attachments/<my id>/<broadcast_id>/), with the checks of that moment. Idempotent on broadcast_id. Returns the scheduled broadcast.';

revoke execute on function public.schedule_broadcast(uuid[], text, uuid, timestamptz, jsonb) from public, anon;
grant execute on function public.schedule_broadcast(uuid[], text, uuid, timestamptz, jsonb) to authenticated;

-- =============================================================================================
-- The job's part (run by the scheduler as the migration role; no API role may call it)
-- =============================================================================================

-- As private.send_due_messages, for broadcasts: each due one in its own subtransaction, as an
-- ordinary broadcast. A refusal (the trainer no longer a trainer, a file gone, nobody left to send
-- to) marks it failed with its reason; the rate limit leaves it for the next run. Returns how many
-- it sent.
create function private.send_due_broadcasts(batch_size integer default 20) returns integer
language plpgsql
set search_path = ''
as $$
declare
  due public.scheduled_broadcasts;
  sent integer := 0;
  results jsonb;
  delivered integer;
begin
  for due in
    select * from public.scheduled_broadcasts s
    where s.status = 'scheduled' and s.send_at <= now()
    order by s.send_at, s.id
    limit greatest(send_due_broadcasts.batch_size, 1)
    for update skip locked
  loop
    begin
      -- The same lock as broadcast_message, so a send of this id through the API waits for this one.
      perform pg_advisory_xact_lock(hashtextextended(due.id::text, 0));
      if not exists (select 1 from public.profiles p where p.id = due.trainer_id and p.role = 'trainer') then
        perform private.refuse_not_trainer();
      end if;
      if exists (select 1 from public.broadcasts b where b.id = due.id and b.trainer_id <> due.trainer_id) then
        perform private.refuse_broadcast_id_taken(due.id);
      end if;
      insert into public.broadcasts (id, trainer_id, body, attachments, recipient_count)
      values (due.id, due.trainer_id, due.body, due.attachments, cardinality(due.recipient_ids))
      on conflict (id) do nothing;

      select jsonb_agg(jsonb_build_object('recipient_id', s.recipient_id, 'message_id', s.message_id,
               'outcome', s.outcome) order by s.ord),
             count(*) filter (where s.outcome <> 'not_linked')
        into results, delivered
      from private.send_as(
        due.trainer_id,
        due.recipient_ids,
        array(select private.broadcast_copy_id(due.id, r) from unnest(due.recipient_ids) r),
        due.body,
        null,
        due.attachments,
        due.id
      ) with ordinality as s(recipient_id, conversation_id, message_id, outcome, ord);

      if delivered = 0 then
        -- Nobody left: undone (no empty broadcast), and failed with SP001's sentence.
        perform private.refuse_not_linked();
      end if;
      update public.scheduled_broadcasts s
      set status = 'sent', failure = null, outcomes = results,
          sent_at = coalesce((select min(m.created_at) from public.messages m where m.broadcast_id = due.id), now())
      where s.id = due.id;
      sent := sent + 1;
    exception
      when sqlstate 'SP005' then
        null;
      when others then
        update public.scheduled_broadcasts s
        set status = 'failed', failure = sqlerrm || ' (' || sqlstate || ')'
        where s.id = due.id;
    end;
  end loop;
  return sent;
end;
$$;
comment on function private.send_due_broadcasts(integer) is 'Sends the scheduled broadcasts that are due (up to batch_size) through private.send_as as ordinary broadcasts, recording each recipient''s outcome, or marking one failed with its reason; one at the rate limit waits for the next run. Run with private.send_due_messages by the job spotter-send-due-messages.';

revoke execute on function private.send_due_broadcasts(integer) from public, anon, authenticated, service_role;

-- The same job sends both (one transaction per run; each row in its own subtransaction).
select cron.schedule('spotter-send-due-messages', '20 seconds',
  'select private.send_due_messages() + private.send_due_broadcasts()');

-- =============================================================================================
-- Unattached uploads: a broadcast still scheduled keeps its files
-- =============================================================================================
create or replace function private.queue_unattached_uploads() returns integer
language plpgsql
set search_path = ''
as $$
declare
  queued integer;
begin
  insert into private.storage_removals (bucket_id, object_name)
  select o.bucket_id, o.name
  from storage.objects o
  where o.bucket_id = 'attachments'
    and o.created_at < now() - private.unattached_upload_retention()
    and not exists (select 1 from public.message_attachments a where a.path = o.name)
    and not exists (select 1 from public.message_attachments a where a.meta ->> 'poster_path' = o.name)
    and not exists (
      select 1 from public.scheduled_broadcasts s
      where s.status = 'scheduled'
        and split_part(o.name, '/', 1) = s.trainer_id::text
        and split_part(o.name, '/', 2) = s.id::text)
  on conflict (bucket_id, object_name) do update
    set done_at = null, not_before = now(), attempts = 0, locked_until = null, last_error = null,
        queued_at = now(), message_id = null
    where private.storage_removals.done_at is not null;
  get diagnostics queued = row_count;
  return queued;
end;
$$;
comment on function private.queue_unattached_uploads() is 'Queues for removal the attachments uploads older than private.unattached_upload_retention() that no message references and no broadcast still scheduled holds (its folder); returns how many. Run hourly by the job spotter-queue-unattached-uploads.';
