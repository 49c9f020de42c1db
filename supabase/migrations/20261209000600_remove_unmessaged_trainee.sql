-- Removing a trainee the trainer never messaged failed with 42501 ("new row violates row-level
-- security policy for table profiles"): an UPDATE whose WHERE reads the row must also be able to
-- see the new row through the SELECT policies, and once unlinked, a trainee without a conversation
-- is neither the trainer's trainee nor a past partner. remove_trainee now runs as its owner, and
-- states itself what the policies said: only my own trainee, and only their link.
--
-- Who may do this is unchanged: the row must be my trainee's (trainer_id = auth.uid()) and only
-- trainer_id changes, to null — what the profile guard trigger allows a trainer through a plain
-- update (the guard leaves owner-rights writes alone, so this function states the rule itself). A
-- dashboard impersonation (no live session) is refused with SP006, as for every other write.

create or replace function public.remove_trainee(trainee_id uuid) returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.assert_live_session();
  update public.profiles p
  set trainer_id = null
  where p.id = remove_trainee.trainee_id and p.trainer_id = (select auth.uid());
  if not found then
    perform private.refuse_not_linked();
  end if;
end;
$$;
comment on function public.remove_trainee(uuid) is 'A trainer unlinks one of their trainees (whether or not they ever messaged); their conversation, if any, is archived (read-only, history kept). Runs as its owner: the unlinked trainee may be visible to the trainer no longer.';

revoke execute on function public.remove_trainee(uuid) from public, anon;
grant execute on function public.remove_trainee(uuid) to authenticated;
