package io.convene.meeting;

import io.convene.audit.AuditLog;
import io.convene.config.AppConfig;
import io.convene.bus.Addresses;
import io.convene.notify.NotificationService;
import io.convene.outbox.Effect;
import io.convene.outbox.WebhookEvent;
import io.convene.protocol.ApiException;
import io.convene.protocol.Events;
import io.convene.protocol.Identity;
import io.convene.meeting.MeetingRepository.Overlap;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Who belongs to a meeting: invitations, answers, removal and bans, roles (making someone owner
 * transfers ownership), and what other areas ask about a person's place in a meeting.
 */
public final class ParticipantService {
  /** Participants who hear about a meeting's changes: those who have not declined or been banned. */
  public static final Set<ParticipantStatus> ATTENDING = Set.of(ParticipantStatus.INVITED, ParticipantStatus.ACCEPTED);
  /** Everyone who belongs to a meeting, banned people aside. */
  public static final Set<ParticipantStatus> BELONGING =
      Set.of(ParticipantStatus.INVITED, ParticipantStatus.ACCEPTED, ParticipantStatus.DECLINED);

  private final Transactions tx;
  private final MeetingRepository meetings;
  private final ParticipantRepository repo;
  private final MeetingAccess access;
  private final Views views;
  private final StatusChanges changes;
  private final NotificationService notifications;
  private final AppConfig.Meetings limits;

  ParticipantService(Transactions tx, MeetingRepository meetings, ParticipantRepository repo, MeetingAccess access,
      Views views, StatusChanges changes, NotificationService notifications, AppConfig.Meetings limits) {
    this.tx = tx;
    this.meetings = meetings;
    this.repo = repo;
    this.access = access;
    this.views = views;
    this.changes = changes;
    this.notifications = notifications;
    this.limits = limits;
  }

  public AppConfig.Meetings limits() {
    return limits;
  }

  public record InviteResult(List<Participant> invited, List<JsonObject> skipped, List<JsonObject> warnings) {
    public JsonObject toJson() {
      JsonArray list = new JsonArray();
      invited.forEach(p -> list.add(p.toJson()));
      return new JsonObject()
          .put("invited", list)
          .put("skipped", new JsonArray(new ArrayList<>(skipped)))
          .put("warnings", new JsonArray(new ArrayList<>(warnings)));
    }
  }

  private Instant now() {
    return changes.now();
  }

  public Future<Page<Participant>> participants(Identity actor, String meetingId, String afterUserId, int limit) {
    return access.load(tx.pool(), actor, meetingId, false)
        .compose(a -> repo.participants(tx.pool(), meetingId, afterUserId, limit + 1))
        .compose(rows -> {
          boolean more = rows.size() > limit;
          List<Participant> page = more ? rows.subList(0, limit) : rows;
          return views.named(tx.pool(), page).map(named -> new Page<>(named, more ? page.get(page.size() - 1).userId() : null));
        });
  }

  public Future<InviteResult> invite(Identity actor, String meetingId, List<String> userIds, Role role) {
    return tx.run((db, out) -> access.load(db, actor, meetingId, true).compose(a -> {
      a.require(Permission.INVITE);
      if (role != Role.MEMBER) {
        a.require(Permission.ASSIGN_ROLES);
      }
      Meeting m = a.meeting();
      a.requireActive();
      Instant now = now();
      return repo.participantsAmong(db, m.id(), userIds).compose(existing -> {
        List<JsonObject> skipped = new ArrayList<>();
        Set<String> skip = new HashSet<>();
        for (Participant p : existing) {
          if (p.status() == ParticipantStatus.BANNED) {
            skipped.add(new JsonObject().put("userId", p.userId()).put("reason", "banned"));
            skip.add(p.userId());
          } else if (p.status() != ParticipantStatus.DECLINED) {
            skipped.add(new JsonObject().put("userId", p.userId()).put("reason", "already_participant"));
            skip.add(p.userId());
          }
        }
        List<String> fresh = userIds.stream().filter(u -> !skip.contains(u)).toList();
        return repo.participantIds(db, m.id(), ATTENDING)
            .compose(before -> repo.insertParticipants(db, List.of(m.id()), fresh, role, ParticipantStatus.INVITED,
                    actor.userId(), now)
                .compose(invited -> repo.participantsAmong(db, m.id(), invited).compose(rows -> views.named(db, rows)))
                .compose(invited -> meetings.overlaps(db, fresh,
                        List.of(new Recurrence.Window(m.startTime(), m.endTime())), List.of(m.id()))
                    .compose(overlaps -> {
                      List<String> invitedIds = invited.stream().map(Participant::userId).toList();
                      Future<Void> stored = Future.succeededFuture();
                      if (!invitedIds.isEmpty()) {
                        if (m.status() == MeetingStatus.IN_PROGRESS) {
                          out.effect(LiveRoster.added(m.id(), invitedIds));
                          // Stored now, in this transaction, so that the meeting's end finds them to settle
                          // (see closed); announced once committed.
                          JsonObject about = new JsonObject().put("title", m.title())
                              .put("invitedBy", actor.userId()).put("isInstantCall", m.instantCall());
                          List<Effect> notices = invitedIds.stream().map(u -> notifications.notice(u,
                              NotificationService.LIVE_INVITE, m.id(), about, null, Events.MEETING_LIVE_INVITE_SENT))
                              .toList();
                          notices.forEach(out::effect);
                          stored = notifications.store(db, notices);
                        } else {
                          out.tell(invitedIds, Events.MEETING_INVITED,
                              m.toJson().put("invitedBy", actor.userId()).put("role", role.wire()));
                        }
                        out.tell(before, Events.MEETING_PARTICIPANTS_INVITED, new JsonObject()
                            .put("meetingId", m.id()).put("userIds", new JsonArray(invitedIds))
                            .put("invitedBy", actor.userId()));
                        out.audit(AuditLog.PARTICIPANT_INVITED, m.id(), actor.userId(), new JsonObject()
                            .put("userIds", new JsonArray(invitedIds)).put("role", role.wire()));
                        out.webhook(WebhookEvent.PARTICIPANT_INVITED, new JsonObject().put("meetingId", m.id())
                            .put("userIds", new JsonArray(invitedIds)).put("role", role.wire())
                            .put("invitedBy", actor.userId()));
                      }
                      return stored.map(v -> new InviteResult(invited, skipped,
                          overlaps.stream().map(Overlap::toJson).toList()));
                    })));
      });
    }));
  }

  /** The meeting is over: its live invites lapse (marked read). */
  public Future<Void> closed(String meetingId) {
    return notifications.settle(tx.pool(), NotificationService.LIVE_INVITE, meetingId);
  }

  public Future<Void> removeParticipant(Identity actor, String meetingId, String userId, boolean ban) {
    return tx.run((db, out) -> access.load(db, actor, meetingId, true).compose(a -> {
      a.require(ban ? Permission.BAN_PARTICIPANT : Permission.REMOVE_PARTICIPANT);
      Meeting m = a.meeting();
      return repo.participant(db, m.id(), userId).compose(found -> {
        Participant target = found.orElseThrow(() -> ApiException.notFound("participant"));
        if (target.role() == Role.OWNER) {
          throw ApiException.invalidState("the owner cannot be removed; transfer ownership first");
        }
        if (target.status() == ParticipantStatus.BANNED) {
          if (ban) {
            return Future.<Void>succeededFuture();
          }
          throw ApiException.invalidState("the participant is banned; a ban is permanent");
        }
        Future<Void> change = ban
            ? repo.setParticipantStatus(db, m.id(), userId, ParticipantStatus.BANNED, now())
            : repo.deleteParticipant(db, m.id(), userId);
        return change.compose(v -> repo.participantIds(db, m.id(), ATTENDING)).map(users -> {
          out.command(Addresses.ROOM_REMOVE, new JsonObject().put("meetingId", m.id()).put("userId", userId));
          if (m.status() == MeetingStatus.IN_PROGRESS) {
            out.effect(LiveRoster.removed(m.id(), List.of(userId)));
          }
          out.tell(List.of(userId), Events.MEETING_REMOVED,
              new JsonObject().put("meetingId", m.id()).put("banned", ban).put("removedBy", actor.userId()));
          out.tell(users, Events.MEETING_PARTICIPANT_REMOVED, new JsonObject().put("meetingId", m.id())
              .put("userId", userId).put("banned", ban).put("removedBy", actor.userId()));
          out.audit(ban ? AuditLog.PARTICIPANT_BANNED : AuditLog.PARTICIPANT_REMOVED, m.id(), actor.userId(),
              new JsonObject().put("userId", userId).put("previousStatus", target.status().wire()));
          return null;
        });
      });
    }));
  }

  /** The caller accepts or declines their own invitation. */
  public Future<Participant> respond(Identity actor, String meetingId, String userId, ParticipantStatus answer) {
    return tx.run((db, out) -> access.load(db, actor, meetingId, true).compose(a -> {
      if (!userId.equals(actor.userId())) {
        if (a.self() == null && !a.admin()) {
          throw ApiException.notFound("participant");
        }
        throw ApiException.forbidden("you can only answer your own invitation");
      }
      if (a.self() == null) {
        throw ApiException.notFound("participant");
      }
      if (a.self().role() == Role.OWNER && answer == ParticipantStatus.DECLINED) {
        throw ApiException.invalidState("the owner cannot decline their own meeting");
      }
      a.requireActive();
      Instant now = now();
      return repo.setParticipantStatus(db, meetingId, userId, answer, now)
          .compose(v -> repo.participantIds(db, meetingId,
              Set.of(ParticipantStatus.INVITED, ParticipantStatus.ACCEPTED, ParticipantStatus.DECLINED)))
          .compose(users -> {
            if (a.meeting().status() == MeetingStatus.IN_PROGRESS) {
              out.effect(answer == ParticipantStatus.DECLINED ? LiveRoster.removed(meetingId, List.of(userId))
                  : LiveRoster.added(meetingId, List.of(userId)));
            }
            out.tell(users, Events.MEETING_PARTICIPANT_RESPONDED,
                new JsonObject().put("meetingId", meetingId).put("userId", userId).put("status", answer.wire()));
            out.audit(AuditLog.PARTICIPANT_RESPONDED, meetingId, actor.userId(),
                new JsonObject().put("userId", userId).put("status", answer.wire()));
            return repo.participant(db, meetingId, userId).compose(p -> views.named(db, List.of(p.orElseThrow())))
                .map(named -> named.get(0));
          });
    }));
  }

  /** Assigns a role; making someone owner transfers ownership (the previous owner becomes manager). */
  public Future<List<Participant>> assignRole(Identity actor, String meetingId, String userId, Role role) {
    return tx.run((db, out) -> access.load(db, actor, meetingId, true).compose(a -> {
      a.require(Permission.ASSIGN_ROLES);
      Meeting m = a.meeting();
      a.requireActive();
      return repo.participant(db, m.id(), userId).compose(found -> {
        Participant target = found.orElseThrow(() -> ApiException.notFound("participant"));
        if (target.status() == ParticipantStatus.BANNED || target.status() == ParticipantStatus.DECLINED) {
          throw ApiException.invalidState("the participant is " + target.status().wire());
        }
        if (target.role() == role) {
          return Future.succeededFuture(List.of(target));
        }
        if (target.role() == Role.OWNER) {
          throw ApiException.invalidState("to change the owner, make another participant owner");
        }
        List<String[]> roleChanges = new ArrayList<>();
        Future<Void> chain = Future.succeededFuture();
        if (role == Role.OWNER) {
          chain = repo.participantIds(db, m.id(), Set.of(ParticipantStatus.values()))
              .compose(all -> findOwner(db, m.id(), all))
              .compose(owner -> {
                roleChanges.add(new String[] {owner, Role.MANAGER.wire(), Role.OWNER.wire()});
                return repo.setRole(db, m.id(), owner, Role.MANAGER);
              });
        }
        roleChanges.add(new String[] {userId, role.wire(), target.role().wire()});
        return chain.compose(v -> repo.setRole(db, m.id(), userId, role))
            .compose(v -> repo.participantIds(db, m.id(), ATTENDING))
            .compose(users -> {
              for (String[] c : roleChanges) {
                out.tell(users, Events.MEETING_ROLE_CHANGED, new JsonObject().put("meetingId", m.id())
                    .put("userId", c[0]).put("role", c[1]).put("previousRole", c[2]).put("changedBy", actor.userId()));
                out.audit(AuditLog.ROLE_CHANGED, m.id(), actor.userId(),
                    new JsonObject().put("userId", c[0]).put("role", c[1]).put("previousRole", c[2]));
              }
              return repo.participantsAmong(db, m.id(), roleChanges.stream().map(c -> c[0]).toList())
                  .compose(rows -> views.named(db, rows));
            });
      });
    }));
  }

  private Future<String> findOwner(SqlClient db, String meetingId, List<String> userIds) {
    return repo.participantsAmong(db, meetingId, userIds).map(rows -> rows.stream()
        .filter(p -> p.role() == Role.OWNER).map(Participant::userId).findFirst()
        .orElseThrow(() -> new IllegalStateException("meeting " + meetingId + " has no owner")));
  }

  // ---- a person's place in a meeting, for the other areas ---------------------------------

  /** The caller's place in a meeting: its role and answer; not-found for outsiders, as everywhere. */
  public record Membership(Meeting meeting, Role role, ParticipantStatus status, boolean admin) {
    /** A participant who declined keeps a seat (to change their mind) but none of their role's rights. */
    public boolean can(Permission p) {
      return Permissions.allows(declined() ? null : role, admin, p);
    }

    /** Whether the caller declined the invitation (an admin acting as owner has not). */
    public boolean declined() {
      return status == ParticipantStatus.DECLINED && !admin;
    }

    /** Refuses with {@code forbidden} naming the permission the caller's role lacks. */
    public Membership require(Permission p) {
      if (!can(p)) {
        throw ApiException.forbidden("your role in this meeting does not allow " + p.wire());
      }
      return this;
    }
  }

  public Future<Membership> membership(Identity actor, String meetingId) {
    return access.load(tx.pool(), actor, meetingId, false).map(a ->
        new Membership(a.meeting(), a.role(), a.self() == null ? null : a.self().status(), a.admin()));
  }

  /**
   * The people who share a meeting with {@code userId}: every meeting but cancelled ones, banned people
   * aside on both sides. At most {@code limit}.
   */
  public Future<java.util.Set<String>> sharingAMeetingWith(String userId, int limit) {
    return repo.sharingAMeetingWith(tx.pool(), userId, limit);
  }

  /** Attending participants (invited or accepted). */
  public Future<List<String>> attendingIds(String meetingId) {
    return attendingIds(tx.pool(), meetingId);
  }

  /** Attending participants, read on {@code db} (a transaction's own connection, or the pool). */
  public Future<List<String>> attendingIds(SqlClient db, String meetingId) {
    return repo.participantIds(db, meetingId, ATTENDING);
  }

  /** Attending participants whose role allows {@code permission} (an admin's rights aside). */
  public Future<List<String>> attendingWith(String meetingId, Permission permission) {
    return repo.participantIds(tx.pool(), meetingId, ATTENDING, Permissions.rolesAllowed(permission));
  }

  /** Everyone who belongs to the meeting, banned people aside. */
  public Future<List<String>> participantIds(String meetingId) {
    return repo.participantIds(tx.pool(), meetingId, BELONGING);
  }

  /** Adds members to a live meeting (people rung into a call); banned users stay out. Returns who was added. */
  public Future<List<String>> addMembers(String meetingId, String inviterId, List<String> userIds) {
    Instant now = now();
    return tx.run((db, after) -> repo.participantsAmong(db, meetingId, userIds).compose(existing -> {
      Set<String> banned = new HashSet<>();
      existing.stream().filter(p -> p.status() == ParticipantStatus.BANNED).forEach(p -> banned.add(p.userId()));
      List<String> allowed = userIds.stream().filter(u -> !banned.contains(u)).toList();
      return repo.insertParticipants(db, List.of(meetingId), allowed, Role.MEMBER, ParticipantStatus.INVITED, inviterId, now)
          .map(added -> {
            after.effect(LiveRoster.added(meetingId, allowed));
            if (!added.isEmpty()) {
              after.audit(AuditLog.PARTICIPANT_INVITED, meetingId, inviterId, new JsonObject()
                  .put("userIds", new JsonArray(added)).put("role", Role.MEMBER.wire()));
              after.webhook(WebhookEvent.PARTICIPANT_INVITED, new JsonObject().put("meetingId", meetingId)
                  .put("userIds", new JsonArray(added)).put("role", Role.MEMBER.wire()).put("invitedBy", inviterId));
            }
            return allowed;
          });
    }));
  }

  /** Records a participant's answer (a callee accepted or declined). */
  public Future<Void> recordAnswer(String meetingId, String userId, ParticipantStatus answer) {
    return repo.setParticipantStatus(tx.pool(), meetingId, userId, answer, now());
  }

  /**
   * Records that {@code identity} joined the live room: their first join, and the meeting's count of
   * distinct people who ever joined ({@code uniqueCount}, as the room counts them).
   */
  public Future<Void> recordJoin(String meetingId, String identity, int uniqueCount) {
    return repo.markFirstJoin(tx.pool(), meetingId, identity, now())
        .compose(v -> meetings.setUniqueParticipants(tx.pool(), meetingId, uniqueCount));
  }
}
