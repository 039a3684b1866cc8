package io.openmeet.roomapi.entity;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;

/** Stores {@link RoomAccess} as its lower-case wire value (the CHECK constraint's values). */
@Converter
public class RoomAccessConverter implements AttributeConverter<RoomAccess, String> {

  @Override
  public String convertToDatabaseColumn(RoomAccess access) {
    return access == null ? null : access.wire();
  }

  @Override
  public RoomAccess convertToEntityAttribute(String value) {
    return value == null ? null : RoomAccess.fromWire(value);
  }
}
