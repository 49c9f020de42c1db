-- The other person: when they were last active ("last seen"), with a privacy setting the database
-- enforces both ways, and the trainee profile a trainer sees, with private notes about the trainee.
--
--   last seen      written by touch_last_seen(), which the app calls on activity (start, focus, send);
--                  the database stores at most one time a minute. Hidden by the user's own setting
--                  (last_seen.hidden): then nobody sees their time, and they see nobody's. Realtime
--                  presence says "online" and is best effort; this is the record.
--   trainee notes  one note per trainer and trainee, only ever visible to that trainer.

-- =============================================================================================
-- Tables
-- =============================================================================================
create table public.last_seen (
  user_id uuid primary key default auth.uid() references public.profiles (id) on delete cascade,
  seen_at timestamptz not null default now(),
  hidden boolean not null default false
);
comment on table public.last_seen is 'When each user was last active in the app, and whether they hide it. Others see a time only when neither side hides theirs.';
comment on column public.last_seen.user_id is 'Whose activity this is.';
comment on column public.last_seen.seen_at is 'When they were last active, to the minute (server time; set by touch_last_seen).';
comment on column public.last_seen.hidden is 'The user''s privacy setting: when true nobody else sees seen_at, and the user sees nobody else''s.';

create table public.trainee_notes (
  trainer_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  trainee_id uuid not null references public.profiles (id) on delete cascade,
  body text not null,
  updated_at timestamptz not null default now(),
  constraint trainee_notes_pkey primary key (trainer_id, trainee_id),
  constraint trainee_notes_body_length check (not private.is_blank(body) and char_length(body) <= 5000)
);
comment on table public.trainee_notes is 'A trainer''s private notes about a trainee: visible to that trainer only, never to the trainee. Written with save_trainee_note().';
comment on column public.trainee_notes.trainer_id is 'The trainer who wrote the note and alone can read it.';
comment on column public.trainee_notes.trainee_id is 'The trainee it is about (a current or past trainee of that trainer).';
comment on column public.trainee_notes.body is 'The note: 1–5000 characters, without blank characters at either end.';
comment on column public.trainee_notes.updated_at is 'When the note was last saved.';

create index trainee_notes_trainee_id_idx on public.trainee_notes (trainee_id);

-- The caller's own privacy setting, read without RLS so the last_seen policy can ask it without
-- recursing into itself (as private.my_link does for profiles). Only ever the caller's row.
create view private.my_last_seen as
  select l.hidden
  from public.last_seen l
  where l.user_id = (select auth.uid());
comment on view private.my_last_seen is 'Whether the caller hides their last seen (no row: they do not), for the last_seen policy.';
grant select on private.my_last_seen to authenticated;

-- =============================================================================================
-- Grants
-- =============================================================================================
revoke all on public.last_seen from anon, authenticated;
grant select on public.last_seen to authenticated;
grant insert (user_id, hidden) on public.last_seen to authenticated;
grant update (seen_at, hidden) on public.last_seen to authenticated;

revoke all on public.trainee_notes from anon, authenticated;
grant select, delete on public.trainee_notes to authenticated;
grant insert (trainee_id, body) on public.trainee_notes to authenticated;
grant update (body) on public.trainee_notes to authenticated;

-- =============================================================================================
-- Trigger functions
-- =============================================================================================

-- Times come from the server and belong to the caller; an impersonated session changes nothing.
create function private.handle_last_seen_write() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if current_user = 'authenticated' then
    new.user_id := (select auth.uid());
    new.seen_at := now();
  end if;
  return new;
end;
$$;
comment on function private.handle_last_seen_write() is 'Stamps last_seen with server time for the calling user.';

create function private.handle_trainee_note_write() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if current_user = 'authenticated' then
    new.trainer_id := (select auth.uid());
  end if;
  new.body := private.trim_blank(new.body);
  if char_length(new.body) > 5000 then
    raise exception 'a note can be at most 5000 characters (this one has %)', char_length(new.body)
      using errcode = 'SP108';
  end if;
  new.updated_at := now();
  return new;
end;
$$;
comment on function private.handle_trainee_note_write() is 'Trims a note, refuses one over 5000 characters (SP108), stamps the writing trainer and the time.';

revoke execute on function private.handle_last_seen_write(), private.handle_trainee_note_write()
  from public, anon, authenticated, service_role;

-- =============================================================================================
-- Triggers
-- =============================================================================================
create trigger last_seen_before_write_stamp
  before insert or update on public.last_seen
  for each row execute function private.handle_last_seen_write();

create trigger trainee_notes_before_write_check
  before insert or update on public.trainee_notes
  for each row execute function private.handle_trainee_note_write();

create trigger last_seen_before_write_check_session
  before insert or update or delete on public.last_seen
  for each statement execute function private.handle_write_check_session();

create trigger trainee_notes_before_write_check_session
  before insert or update or delete on public.trainee_notes
  for each statement execute function private.handle_write_check_session();

-- =============================================================================================
-- Row-level security
-- =============================================================================================
alter table public.last_seen enable row level security;
alter table public.trainee_notes enable row level security;

-- Whose profile I may see (the profiles policy) is whose last seen I may see, unless they hide it
-- or I hide mine.
create policy "Users can see their own last seen, and that of people they can see unless either hides it"
  on public.last_seen for select
  to authenticated
  using (
    user_id = (select auth.uid())
    or (
      not hidden
      and not coalesce((select m.hidden from private.my_last_seen m), false)
      and exists (select 1 from public.profiles p where p.id = last_seen.user_id)
    )
  );

create policy "Users can record their own last seen"
  on public.last_seen for insert
  to authenticated
  with check (user_id = (select auth.uid()));

create policy "Users can update their own last seen and its setting"
  on public.last_seen for update
  to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

create policy "Trainers can read their own notes"
  on public.trainee_notes for select
  to authenticated
  using (trainer_id = (select auth.uid()));

-- About a trainee the trainer can see: a current trainee, or a past one they messaged.
create policy "Trainers can write notes about their trainees"
  on public.trainee_notes for insert
  to authenticated
  with check (
    trainer_id = (select auth.uid())
    and (select l.role from private.my_link l) = 'trainer'
    and exists (select 1 from public.profiles p where p.id = trainee_notes.trainee_id and p.role = 'trainee')
  );

create policy "Trainers can change their own notes"
  on public.trainee_notes for update
  to authenticated
  using (trainer_id = (select auth.uid()))
  with check (trainer_id = (select auth.uid()));

create policy "Trainers can delete their own notes"
  on public.trainee_notes for delete
  to authenticated
  using (trainer_id = (select auth.uid()));

-- =============================================================================================
-- Error codes
-- =============================================================================================
insert into private.error_codes (code, meaning) values
  ('SP108', 'A trainee note is longer than 5000 characters (trainee notes trigger).');

-- =============================================================================================
-- API functions (security invoker: RLS and the triggers above decide)
-- =============================================================================================
create function public.touch_last_seen() returns timestamptz
language plpgsql
security invoker
set search_path = ''
as $$
declare
  seen timestamptz;
begin
  if (select auth.uid()) is null then
    raise exception 'sign in first' using errcode = '42501';
  end if;
  -- At most one write a minute: a busy app calls this often, and "last seen" is shown to the minute.
  insert into public.last_seen as l (user_id) values ((select auth.uid()))
  on conflict (user_id) do update set seen_at = now()
    where l.seen_at < now() - interval '1 minute'
  returning l.seen_at into seen;
  if seen is null then
    select l.seen_at into seen from public.last_seen l where l.user_id = (select auth.uid());
  end if;
  return seen;
end;
$$;
comment on function public.touch_last_seen() is 'Records that I am active now (stored at most once a minute); returns my stored last seen time. The app calls it on activity.';

create function public.set_last_seen_hidden(hidden boolean) returns void
language plpgsql
security invoker
set search_path = ''
as $$
begin
  insert into public.last_seen as l (user_id, hidden) values ((select auth.uid()), coalesce(set_last_seen_hidden.hidden, false))
  on conflict (user_id) do update set hidden = excluded.hidden;
end;
$$;
comment on function public.set_last_seen_hidden(boolean) is 'My privacy setting: when hidden, nobody sees when I was last active, and I see nobody''s last seen.';

-- A blank note deletes it: the note is a notepad, and an empty one is no note.
-- setof: a deleted note is no row (a single composite would answer a row of nulls).
create function public.save_trainee_note(trainee_id uuid, body text) returns setof public.trainee_notes
language plpgsql
security invoker
set search_path = ''
as $$
begin
  if (select l.role from private.my_link l) is distinct from 'trainer'
     or not exists (
       select 1 from public.profiles p where p.id = save_trainee_note.trainee_id and p.role = 'trainee'
     ) then
    perform private.refuse_not_linked();
  end if;
  if private.is_blank(coalesce(save_trainee_note.body, '')) then
    delete from public.trainee_notes n
    where n.trainer_id = (select auth.uid()) and n.trainee_id = save_trainee_note.trainee_id;
    return;
  end if;
  return query
  insert into public.trainee_notes as n (trainee_id, body)
  values (save_trainee_note.trainee_id, save_trainee_note.body)
  on conflict on constraint trainee_notes_pkey do update set body = excluded.body
  returning *;
end;
$$;
comment on function public.save_trainee_note(uuid, text) is 'Saves my private note about one of my (current or past) trainees and returns it; a blank note deletes it (returns no row). Only I can ever read it.';

create function public.trainee_profile(trainee_id uuid)
returns table (
  id uuid,
  display_name text,
  avatar_url text,
  joined_at timestamptz,
  linked boolean,
  linked_at timestamptz,
  last_seen_at timestamptz,
  conversation_id uuid,
  note text,
  note_updated_at timestamptz
)
language plpgsql
stable
security invoker
set search_path = ''
as $$
-- One statement: each part is a row RLS shows me or nothing (someone else's last seen when either
-- of us hides it, a note that is not mine, a conversation I am not in).
#variable_conflict use_column
begin
  return query
  select p.id, p.display_name, p.avatar_url, p.created_at,
    p.trainer_id is not distinct from (select auth.uid()),
    (select max(r.redeemed_at) from public.invitation_redemptions r
     where r.trainee_id = p.id and r.trainer_id = (select auth.uid())),
    l.seen_at, c.id, n.body, n.updated_at
  from public.profiles p
  left join public.last_seen l on l.user_id = p.id
  left join public.conversations c on c.trainee_id = p.id and c.trainer_id = (select auth.uid())
  left join public.trainee_notes n on n.trainee_id = p.id and n.trainer_id = (select auth.uid())
  where p.id = trainee_profile.trainee_id and p.role = 'trainee';
end;
$$;
comment on function public.trainee_profile(uuid) is 'A trainee as their trainer sees them: name, when they joined Spotter and linked to me, whether still linked, last seen (unless either of us hides it), our conversation and my private note. No row when I cannot see them.';

revoke execute on function public.touch_last_seen(), public.set_last_seen_hidden(boolean),
  public.save_trainee_note(uuid, text), public.trainee_profile(uuid)
  from public, anon;
grant execute on function public.touch_last_seen(), public.set_last_seen_hidden(boolean),
  public.save_trainee_note(uuid, text), public.trainee_profile(uuid)
  to authenticated;
