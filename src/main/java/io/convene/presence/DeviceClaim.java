package io.convene.presence;

/** A connection that now holds one of the user's devices (a device id the client chose). */
public record DeviceClaim(String userId, String deviceId, String connectionId) {}
