package io.convene.meeting;

import static io.convene.meeting.Role.GUEST;
import static io.convene.meeting.Role.MANAGER;
import static io.convene.meeting.Role.MEMBER;
import static io.convene.meeting.Role.OWNER;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The permission matrix: which role may do what in a meeting. A system admin acts as owner. Served as
 * data by {@code GET /api/meetings/roles}.
 */
public final class Permissions {
  private static final Map<Permission, Set<Role>> MATRIX = new EnumMap<>(Permission.class);

  static {
    MATRIX.put(Permission.START_EARLY, EnumSet.of(OWNER, MANAGER));
    MATRIX.put(Permission.INVITE, EnumSet.of(OWNER, MANAGER));
    MATRIX.put(Permission.GENERATE_LINK, EnumSet.of(OWNER, MANAGER));
    MATRIX.put(Permission.REMOVE_GUEST, EnumSet.of(OWNER, MANAGER));
    MATRIX.put(Permission.ADMIT_MEMBERS, EnumSet.of(OWNER, MANAGER));
    MATRIX.put(Permission.REMOVE_PARTICIPANT, EnumSet.of(OWNER));
    MATRIX.put(Permission.BAN_PARTICIPANT, EnumSet.of(OWNER));
    MATRIX.put(Permission.MUTE_PARTICIPANT, EnumSet.of(OWNER, MANAGER));
    MATRIX.put(Permission.END_FOR_ALL, EnumSet.of(OWNER));
    MATRIX.put(Permission.CANCEL_MEETING, EnumSet.of(OWNER));
    MATRIX.put(Permission.DELETE_MEETING, EnumSet.of(OWNER));
    MATRIX.put(Permission.ASSIGN_ROLES, EnumSet.of(OWNER));
    MATRIX.put(Permission.EDIT_MEETING, EnumSet.of(OWNER, MANAGER));
    MATRIX.put(Permission.UPDATE_SETTINGS, EnumSet.of(OWNER, MANAGER));
    MATRIX.put(Permission.ADMIT_GUESTS, EnumSet.of(OWNER, MANAGER, MEMBER));
    MATRIX.put(Permission.VIEW_ATTENDANCE, EnumSet.of(OWNER, MANAGER));
    MATRIX.put(Permission.VIEW_AUDIT, EnumSet.of(OWNER, MANAGER));
    MATRIX.put(Permission.PUBLISH_MEDIA, EnumSet.of(OWNER, MANAGER, MEMBER, GUEST));
    MATRIX.put(Permission.RECORD, EnumSet.of(OWNER, MANAGER));
    MATRIX.put(Permission.DELETE_RECORDING, EnumSet.of(OWNER));
    MATRIX.put(Permission.INTERACT, EnumSet.of(OWNER, MANAGER, MEMBER));
    MATRIX.put(Permission.MODERATE_INTERACTIONS, EnumSet.of(OWNER, MANAGER));
    MATRIX.put(Permission.RUN_POLLS, EnumSet.of(OWNER, MANAGER));
  }

  private Permissions() {}

  /** Whether {@code role} may do {@code permission}; {@code admin} acts as owner. */
  public static boolean allows(Role role, boolean admin, Permission permission) {
    Role effective = admin ? OWNER : role;
    return effective != null && MATRIX.get(permission).contains(effective);
  }

  /** The roles that allow {@code permission}. */
  public static Set<Role> rolesAllowed(Permission permission) {
    return EnumSet.copyOf(MATRIX.get(permission));
  }

  /** The matrix as JSON: {@code {"roles":[...],"permissions":{"invite":["owner","manager"],...}}}. */
  public static JsonObject asJson() {
    JsonObject permissions = new JsonObject();
    for (Permission p : Permission.values()) {
      JsonArray roles = new JsonArray();
      MATRIX.get(p).forEach(r -> roles.add(r.wire()));
      permissions.put(p.wire(), roles);
    }
    JsonArray roles = new JsonArray();
    for (Role r : Role.values()) {
      roles.add(r.wire());
    }
    return new JsonObject()
        .put("roles", roles)
        .put("assignableRoles", new JsonArray().add(OWNER.wire()).add(MANAGER.wire()).add(MEMBER.wire()))
        .put("adminActsAs", OWNER.wire())
        .put("permissions", permissions);
  }
}
