{{/* JVB helpers: the number of bridges that may exist, and the render variables of jvb.conf. */}}

{{- define "openmeet.jvb.maxBridges" -}}
{{- if .Values.jvb.autoscaling.enabled }}{{ .Values.jvb.autoscaling.maxReplicas }}{{ else }}{{ .Values.jvb.replicaCount }}{{ end -}}
{{- end -}}

{{/* STUN list in the form bridge-config's HOST_PORT_LIST kind renders: "a:1", "b:2". */}}
{{- define "openmeet.jvb.stunList" -}}
{{- $quoted := list -}}
{{- range .Values.jvb.publicAddress.stunServers -}}
{{- $quoted = append $quoted (printf "%q" .) -}}
{{- end -}}
{{- join ", " $quoted -}}
{{- end -}}

{{- define "openmeet.jvb.renderVariables" -}}
{{- $graceful := printf "%d seconds" (int .Values.jvb.gracefulShutdown.maxSeconds) -}}
{{- $vars := dict
  "XMPP_HOST" (include "openmeet.xmpp.host" .)
  "XMPP_PORT" .Values.prosody.port
  "XMPP_AUTH_DOMAIN" (include "openmeet.xmpp.authDomain" .)
  "XMPP_INTERNAL_MUC" (include "openmeet.xmpp.internalMuc" .)
  "XMPP_DISABLE_CERTIFICATE_VERIFICATION" "true"
  "BREWERY_ROOM" .Values.xmpp.breweryRoom
  "JVB_USER" .Values.xmpp.jvbUser
  "JVB_REGION" (include "openmeet.jvb.region" .)
  "JVB_PRESENCE_INTERVAL" .Values.jvb.presenceInterval
  "JVB_PRIVATE_HOST" "127.0.0.1"
  "JVB_PRIVATE_PORT" .Values.jvb.privatePort
  "JVB_PUBLIC_PORT" .Values.jvb.publicPort
  "JVB_WEBSOCKET_DOMAIN" (printf "%s:443" (include "openmeet.publicHost" .))
  "JVB_WEBSOCKET_TLS" "true"
  "JVB_MEDIA_PORT" .Values.jvb.mediaPort
  "JVB_STUN_ADDRESSES" (include "openmeet.jvb.stunList" .)
  "JVB_AWS_HARVESTER" .Values.jvb.publicAddress.awsHarvester
  "JVB_REQUIRE_VALID_ADDRESS" .Values.jvb.health.requireValidAddress
  "JVB_LOAD_MEASUREMENT" "cpu-usage"
  "JVB_GRACEFUL_SHUTDOWN_MAX" $graceful
-}}
{{- toYaml $vars -}}
{{- end -}}

{{/* HPA behavior of the pool: add up to two bridges a minute; remove one at a time, slowly (a removed bridge drains). */}}
{{- define "openmeet.jvb.scalingBehavior" -}}
scaleUp:
  stabilizationWindowSeconds: 60
  policies:
    - type: Pods
      value: 2
      periodSeconds: 60
scaleDown:
  # Removing a bridge drains it (preStop) for up to gracefulShutdown.maxSeconds: one at a time.
  stabilizationWindowSeconds: {{ .Values.jvb.autoscaling.scaleDownStabilizationSeconds }}
  policies:
    - type: Pods
      value: 1
      periodSeconds: 600
{{- end -}}

{{/* A Kubernetes quantity as a decimal number: "600m" -> 0.6, "1" -> 1. */}}
{{- define "openmeet.quantityDecimal" -}}
{{- $q := toString . -}}
{{- if hasSuffix "m" $q -}}{{ divf (trimSuffix "m" $q | float64) 1000.0 }}{{- else -}}{{ $q }}{{- end -}}
{{- end -}}
