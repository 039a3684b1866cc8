/** focus-controller. */
package io.openmeet.focus;
