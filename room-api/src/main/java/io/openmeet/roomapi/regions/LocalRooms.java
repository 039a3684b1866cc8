package io.openmeet.roomapi.regions;

import io.openmeet.roomapi.service.ApiException;
import io.openmeet.roomapi.service.ErrorCode;
import io.openmeet.roomapi.service.RoomService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;

/**
 * Whether this region's database holds a room (open or closed). Blocking: call off the event loop.
 */
@ApplicationScoped
public class LocalRooms {

  private final RoomService rooms;

  LocalRooms(RoomService rooms) {
    this.rooms = rooms;
  }

  /** True when {@code idOrSlug} names a room of this region. */
  @ActivateRequestContext
  public boolean exists(String idOrSlug) {
    try {
      rooms.find(idOrSlug);
      return true;
    } catch (ApiException e) {
      if (e.code() == ErrorCode.ROOM_NOT_FOUND) {
        return false;
      }
      throw e;
    }
  }
}
