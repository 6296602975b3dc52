package io.convene.interaction;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The SQL of polls: tables {@code polls}, {@code poll_options} and {@code poll_votes}. */
final class PollRepository {
  private static final String POLL_COLUMNS = "id, meeting_id, question, anonymous, multiple, status, voters,"
      + " voter_salt, created_by, created_at, closed_at, closed_by";

  Future<Void> insert(SqlClient tx, Poll p) {
    return tx.preparedQuery("INSERT INTO polls (" + POLL_COLUMNS + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, NULL)")
        .execute(Tuple.of(p.id(), p.meetingId(), p.question(), p.anonymous(), p.multiple(), p.status(), p.voters(),
            Buffer.buffer(p.voterSalt())).addValue(p.createdBy()).addValue(odt(p.createdAt())))
        .compose(v -> tx.preparedQuery("""
                INSERT INTO poll_options (poll_id, option_id, text)
                SELECT $1, o, t FROM unnest($2::int[], $3::text[]) AS x(o, t)""")
            .execute(Tuple.tuple().addValue(p.id())
                .addValue(p.options().stream().map(Poll.Option::optionId).toArray(Integer[]::new))
                .addValue(p.options().stream().map(Poll.Option::text).toArray(String[]::new))))
        .mapEmpty();
  }

  Future<Optional<Poll>> find(SqlClient db, String meetingId, String pollId) {
    return polls(db, "WHERE id = $1 AND meeting_id = $2", Tuple.of(pollId, meetingId))
        .map(list -> list.isEmpty() ? Optional.empty() : Optional.of(list.get(0)));
  }

  /** The polls of a meeting, oldest first (at most {@code limit}). */
  Future<List<Poll>> ofMeeting(SqlClient db, String meetingId, int limit) {
    return polls(db, "WHERE meeting_id = $1 ORDER BY created_at, id LIMIT $2", Tuple.of(meetingId, limit));
  }

  /** Records a vote; false when this voter voted already (the key holds). */
  Future<Boolean> vote(SqlClient tx, String pollId, String voter, Integer[] optionIdsOrNull, List<Integer> optionIds,
      Instant at) {
    return tx.preparedQuery("INSERT INTO poll_votes (poll_id, voter, option_ids, voted_at) VALUES ($1, $2, $3, $4)"
            + " ON CONFLICT (poll_id, voter) DO NOTHING")
        .execute(Tuple.tuple().addValue(pollId).addValue(voter).addValue(optionIdsOrNull).addValue(odt(at)))
        .compose(r -> r.rowCount() == 0 ? Future.succeededFuture(false)
            : tx.preparedQuery("UPDATE polls SET voters = voters + 1 WHERE id = $1 AND status = 'open'")
                .execute(Tuple.of(pollId))
                .compose(u -> u.rowCount() == 0
                    ? Future.failedFuture(io.convene.protocol.ApiException.invalidState("the poll is closed"))
                    : tx.preparedQuery("UPDATE poll_options SET votes = votes + 1 WHERE poll_id = $1 AND option_id = ANY($2)")
                        .execute(Tuple.tuple().addValue(pollId).addValue(optionIds.toArray(Integer[]::new))).map(true)));
  }

  /** Closes an open poll; false when it was not open. */
  Future<Boolean> close(SqlClient tx, String pollId, String by, Instant at) {
    return tx.preparedQuery("UPDATE polls SET status = 'closed', closed_at = $2, closed_by = $3 WHERE id = $1 AND status = 'open'")
        .execute(Tuple.of(pollId, odt(at), by)).map(r -> r.rowCount() == 1);
  }

  /** Which of these polls the voters (one key per poll) voted in, with their options when stored. */
  Future<Map<String, Integer[]>> votesOf(SqlClient db, List<String> pollIds, List<String> voters) {
    if (pollIds.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    return db.preparedQuery("""
            SELECT v.poll_id, v.option_ids FROM poll_votes v
            JOIN unnest($1::text[], $2::text[]) AS k(p, u) ON v.poll_id = k.p AND v.voter = k.u""")
        .execute(Tuple.tuple().addValue(pollIds.toArray(String[]::new)).addValue(voters.toArray(String[]::new)))
        .map(rows -> {
          Map<String, Integer[]> out = new HashMap<>();
          rows.forEach(r -> out.put(r.getString(0), r.getArrayOfIntegers(1) == null ? new Integer[0] : r.getArrayOfIntegers(1)));
          return out;
        });
  }

  private Future<List<Poll>> polls(SqlClient db, String where, Tuple args) {
    return db.preparedQuery("SELECT " + POLL_COLUMNS + " FROM polls " + where).execute(args).compose(rows -> {
      Map<String, Row> byId = new LinkedHashMap<>();
      rows.forEach(r -> byId.put(r.getString(0), r));
      if (byId.isEmpty()) {
        return Future.succeededFuture(List.<Poll>of());
      }
      return db.preparedQuery("SELECT poll_id, option_id, text, votes FROM poll_options WHERE poll_id = ANY($1)"
              + " ORDER BY poll_id, option_id")
          .execute(Tuple.tuple().addValue(byId.keySet().toArray(String[]::new)))
          .map(optionRows -> {
            Map<String, List<Poll.Option>> options = new HashMap<>();
            optionRows.forEach(o -> options.computeIfAbsent(o.getString(0), k -> new ArrayList<>())
                .add(new Poll.Option(o.getInteger(1), o.getString(2), o.getInteger(3))));
            List<Poll> out = new ArrayList<>();
            byId.values().forEach(r -> out.add(new Poll(r.getString(0), r.getString(1), r.getString(2),
                r.getBoolean(3), r.getBoolean(4), r.getString(5), r.getInteger(6), r.getBuffer(7).getBytes(),
                r.getString(8), instant(r.getOffsetDateTime(9)), instant(r.getOffsetDateTime(10)), r.getString(11),
                options.getOrDefault(r.getString(0), List.of()))));
            return out;
          });
    });
  }

  private static Instant instant(OffsetDateTime v) {
    return v == null ? null : v.toInstant();
  }

  private static OffsetDateTime odt(Instant i) {
    return i == null ? null : OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
  }
}
