/** room-api. */
package io.openmeet.roomapi;
