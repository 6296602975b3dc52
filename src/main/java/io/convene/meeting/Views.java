package io.convene.meeting;

import io.convene.user.UserDirectory;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import java.util.List;

/** Meetings and participants as people see them: with a first page of participants and their names. */
final class Views {
  /** How many participants a meeting's view shows; {@code moreParticipants} says there are more. */
  static final int VIEW_PARTICIPANTS = 100;

  private final ParticipantRepository participants;
  private final UserDirectory users;

  Views(ParticipantRepository participants, UserDirectory users) {
    this.participants = participants;
    this.users = users;
  }

  Future<MeetingView> of(SqlClient db, Meeting meeting, Role myRole) {
    return participants.participants(db, meeting.id(), null, VIEW_PARTICIPANTS + 1)
        .compose(rows -> of(db, meeting, myRole, rows));
  }

  /** The view from the meeting's first participants (one more than shown, to tell there are more). */
  Future<MeetingView> of(SqlClient db, Meeting meeting, Role myRole, List<Participant> firstRows) {
    boolean more = firstRows.size() > VIEW_PARTICIPANTS;
    return named(db, more ? firstRows.subList(0, VIEW_PARTICIPANTS) : firstRows)
        .map(shown -> new MeetingView(meeting, myRole, shown, more));
  }

  /**
   * The participants with their display names, any not in memory read with {@code db} (a transaction's own
   * connection, inside one).
   */
  Future<List<Participant>> named(SqlClient db, List<Participant> list) {
    if (list.isEmpty()) {
      return Future.succeededFuture(list);
    }
    return users.names(db, list.stream().map(Participant::userId).toList())
        .map(names -> list.stream().map(p -> p.named(names.get(p.userId()))).toList());
  }
}
