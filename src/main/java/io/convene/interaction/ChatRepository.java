package io.convene.interaction;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The SQL of chat: tables {@code chat_messages} and {@code chat_sequences}. */
final class ChatRepository {
  private static final String COLUMNS =
      "meeting_id, seq, id, user_id, display_name, text, client_msg_id, sent_at, deleted_at, deleted_by";

  /** The next seq of a meeting; the row stays locked until the transaction ends, which orders sends. */
  Future<Long> nextSeq(SqlClient tx, String meetingId) {
    return tx.preparedQuery("""
            INSERT INTO chat_sequences (meeting_id, last_seq) VALUES ($1, 1)
            ON CONFLICT (meeting_id) DO UPDATE SET last_seq = chat_sequences.last_seq + 1
            RETURNING last_seq""")
        .execute(Tuple.of(meetingId)).map(rows -> rows.iterator().next().getLong(0));
  }

  Future<Void> insert(SqlClient tx, ChatMessage m) {
    return tx.preparedQuery("INSERT INTO chat_messages (" + COLUMNS + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL)")
        .execute(Tuple.of(m.meetingId(), m.seq(), m.id(), m.userId(), m.displayName(), m.text())
            .addValue(m.clientMsgId()).addValue(odt(m.sentAt())))
        .mapEmpty();
  }

  /** The message a user sent with {@code clientMsgId} in a meeting, if any (a retried send finds it). */
  Future<Optional<ChatMessage>> byClientId(SqlClient db, String meetingId, String userId, String clientMsgId) {
    return db.preparedQuery("SELECT " + COLUMNS + " FROM chat_messages WHERE meeting_id = $1 AND user_id = $2"
            + " AND client_msg_id = $3")
        .execute(Tuple.of(meetingId, userId, clientMsgId)).map(ChatRepository::first);
  }

  Future<Optional<ChatMessage>> byId(SqlClient db, String meetingId, String messageId) {
    return db.preparedQuery("SELECT " + COLUMNS + " FROM chat_messages WHERE id = $1 AND meeting_id = $2")
        .execute(Tuple.of(messageId, meetingId)).map(ChatRepository::first);
  }

  /** Removes the text of a message; false when it was gone already. */
  Future<Boolean> delete(SqlClient tx, String meetingId, String messageId, String by, Instant at) {
    return tx.preparedQuery("""
            UPDATE chat_messages SET text = NULL, deleted_at = $3, deleted_by = $4
            WHERE id = $1 AND meeting_id = $2 AND deleted_at IS NULL""")
        .execute(Tuple.of(messageId, meetingId, odt(at), by)).map(r -> r.rowCount() == 1);
  }

  /** Up to {@code limit} messages after {@code afterSeq}, oldest first: a range scan of the primary key. */
  Future<List<ChatMessage>> page(SqlClient db, String meetingId, long afterSeq, int limit) {
    return db.preparedQuery("SELECT " + COLUMNS + " FROM chat_messages WHERE meeting_id = $1 AND seq > $2"
            + " ORDER BY seq LIMIT $3")
        .execute(Tuple.of(meetingId, afterSeq, limit)).map(rows -> {
          List<ChatMessage> out = new ArrayList<>();
          rows.forEach(r -> out.add(of(r)));
          return out;
        });
  }

  private static Optional<ChatMessage> first(RowSet<Row> rows) {
    var it = rows.iterator();
    return it.hasNext() ? Optional.of(of(it.next())) : Optional.empty();
  }

  private static ChatMessage of(Row r) {
    return new ChatMessage(r.getString(0), r.getLong(1), r.getString(2), r.getString(3), r.getString(4),
        r.getString(5), r.getString(6), instant(r.getOffsetDateTime(7)), instant(r.getOffsetDateTime(8)),
        r.getString(9));
  }

  private static Instant instant(OffsetDateTime v) {
    return v == null ? null : v.toInstant();
  }

  private static OffsetDateTime odt(Instant i) {
    return i == null ? null : OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
  }
}
