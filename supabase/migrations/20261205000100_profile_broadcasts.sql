-- Live views of people: when a profile's trainer link, name or picture changes, or a profile is
-- deleted, the database tells everyone who shows it (topic user:<id>, event profile_changed) —
-- a trainer's trainee list when a trainee joins, leaves or is removed; the other person's open chat
-- and conversation list when someone is renamed; the person's own other devices. The payload names
-- only the profile: apps read the database again (events are hints), so an event says no more than
-- "look again" and needs no policy beyond the existing one that lets a user receive on their own
-- topic.

-- =============================================================================================
-- Helpers
-- =============================================================================================

-- Definer: it reads every profile and conversation of the person, whoever changed it (a trainee
-- redeeming a code changes their own row; the trainer sees the result).
create function private.profile_watchers(profile_id uuid, with_partners boolean) returns setof uuid
language sql
stable
security definer
set search_path = ''
as $$
  -- The person and their trainer.
  select p.id from public.profiles p where p.id = profile_watchers.profile_id
  union
  select p.trainer_id from public.profiles p
  where p.id = profile_watchers.profile_id and p.trainer_id is not null
  -- What they are called matters also to their trainees and everyone they have a conversation with.
  union
  select p.id from public.profiles p
  where profile_watchers.with_partners and p.trainer_id = profile_watchers.profile_id
  union
  select case when c.trainer_id = profile_watchers.profile_id then c.trainee_id else c.trainer_id end
  from public.conversations c
  where profile_watchers.with_partners
    and (c.trainer_id = profile_watchers.profile_id or c.trainee_id = profile_watchers.profile_id)
    and c.trainer_id is not null and c.trainee_id is not null
$$;
comment on function private.profile_watchers(uuid, boolean) is 'Who shows this profile: the person and their trainer; with_partners adds their trainees and conversation partners (for a change of name or picture).';

create function private.broadcast_profile_changed(profile_id uuid, watcher uuid) returns void
language sql
security definer
set search_path = ''
as $$
  select realtime.send(
    jsonb_build_object('profile_id', broadcast_profile_changed.profile_id),
    'profile_changed',
    'user:' || broadcast_profile_changed.watcher::text,
    true
  )
$$;
comment on function private.broadcast_profile_changed(uuid, uuid) is 'Tells one user (topic user:<watcher>) that a profile they show changed; the payload is only its id.';

-- =============================================================================================
-- Trigger functions (definer: they write realtime.messages on behalf of the database)
-- =============================================================================================
create function private.handle_profile_broadcast() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  renamed boolean;
  watcher uuid;
begin
  if tg_op = 'DELETE' then
    -- The person is gone; their trainer's list loses a row. (Conversations are archived by their
    -- own trigger, which tells both sides.)
    if old.trainer_id is not null then
      perform private.broadcast_profile_changed(old.id, old.trainer_id);
    end if;
    return null;
  end if;
  renamed := old.display_name is distinct from new.display_name or old.avatar_url is distinct from new.avatar_url;
  for watcher in
    select w from private.profile_watchers(new.id, renamed) w
    -- The trainer they left (or were removed by) sees them go.
    union
    select old.trainer_id where old.trainer_id is not null
  loop
    perform private.broadcast_profile_changed(new.id, watcher);
  end loop;
  return null;
end;
$$;
comment on function private.handle_profile_broadcast() is 'Tells those who show a profile (private.profile_watchers, and a trainer just left) that it changed: a trainer link, the name or the picture, or the profile was deleted.';

revoke execute on function private.profile_watchers(uuid, boolean),
  private.broadcast_profile_changed(uuid, uuid), private.handle_profile_broadcast()
  from public, anon, authenticated, service_role;

-- =============================================================================================
-- Triggers
-- =============================================================================================
create trigger profiles_after_update_broadcast
  after update of trainer_id, display_name, avatar_url on public.profiles
  for each row
  when (
    old.trainer_id is distinct from new.trainer_id
    or old.display_name is distinct from new.display_name
    or old.avatar_url is distinct from new.avatar_url
  )
  execute function private.handle_profile_broadcast();

create trigger profiles_after_delete_broadcast
  after delete on public.profiles
  for each row execute function private.handle_profile_broadcast();
