package io.openmeet.focus.conference;

/** A participant as the others see it. */
public record ParticipantInfo(
    String participantId,
    String displayName,
    boolean moderator,
    boolean audio,
    boolean video,
    boolean screen) {}
