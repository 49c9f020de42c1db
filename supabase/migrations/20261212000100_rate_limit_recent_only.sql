-- =============================================================================================
-- The rate limit reads the sender's last minute only (issue 16).
--
-- private.sending_resumes_at_for counts a sender's sends of the last minute. Its condition was
-- `created_at > clock_timestamp() - interval '1 minute'`: clock_timestamp() is volatile, so the
-- planner cannot use it to bound an index scan, and the lookup on messages_sender_recent_idx
-- (sender_id, created_at desc) took every message the sender ever sent and filtered them by time.
-- A trainee with a few hundred messages did not notice; a send by a trainer who had sent 23,774
-- messages took 4.1 ms instead of 1.1 ms, and by one who had sent 498,747, 90 ms (bench/README.md,
-- "eleventh round"): the send path grew with the sender's history. The cutoff is now taken once
-- into a variable, which the plan treats as a parameter, so the scan starts at the newest of the
-- sender's messages and stops a minute back. Same rule, same answers (tests/db rate limit tests).

create or replace function private.sending_resumes_at_for(sender uuid, this_send uuid default null) returns timestamptz
language plpgsql
stable
set search_path = ''
as $$
declare
  since timestamptz := clock_timestamp() - interval '1 minute';
begin
  return (
    select r.resumes_at
    from (
      select min(m.created_at) + interval '1 minute' as resumes_at
      from public.messages m
      where m.sender_id = sending_resumes_at_for.sender
        and m.created_at > since
        and coalesce(m.broadcast_id, m.id) is distinct from sending_resumes_at_for.this_send
      group by coalesce(m.broadcast_id, m.id)
      order by 1 desc
      limit 1 offset 29
    ) r
    where r.resumes_at > clock_timestamp()
  );
end;
$$;
