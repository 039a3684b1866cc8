{{/*
validateValues: checks combinations the schema cannot express and fails the install early with one
readable message listing every problem. Called from validate.yaml, which renders nothing.
*/}}
{{- define "openmeet.validateValues" -}}
{{- $errors := list -}}
{{- $v := .Values -}}
{{- if and $v.postgresql.enabled $v.externalDatabase.host -}}
{{- $errors = append $errors "postgresql.enabled=true and externalDatabase.host are both set: choose the in-cluster database or the external one" -}}
{{- end -}}
{{- if and (not $v.postgresql.enabled) (not $v.externalDatabase.host) -}}
{{- $errors = append $errors "no database: set externalDatabase.host (production, e.g. RDS) or postgresql.enabled=true (evaluation)" -}}
{{- end -}}
{{- if and (not $v.postgresql.enabled) $v.externalDatabase.host (not $v.externalDatabase.existingSecret) -}}
{{- $errors = append $errors "externalDatabase.existingSecret is empty: name the Secret that holds the database password" -}}
{{- end -}}
{{- if and $v.redis.enabled $v.externalRedis.url -}}
{{- $errors = append $errors "redis.enabled=true and externalRedis.url are both set: choose the in-cluster Redis or the external one" -}}
{{- end -}}
{{- if and (not $v.redis.enabled) (not $v.externalRedis.url) -}}
{{- $errors = append $errors "no Redis: set externalRedis.url (production, e.g. ElastiCache) or redis.enabled=true (evaluation)" -}}
{{- end -}}
{{- if and $v.externalRedis.url (not (regexMatch "^rediss?://" $v.externalRedis.url)) -}}
{{- $errors = append $errors (printf "externalRedis.url %q must start with redis:// or rediss://" $v.externalRedis.url) -}}
{{- end -}}
{{- if and $v.roomApi.enabled (not $v.roomApi.jwt.existingSecret) -}}
{{- $errors = append $errors "roomApi.jwt.existingSecret is empty: create a Secret with privateKey.pem and publicKey.pem (see docs/DEPLOYMENT.md) and name it here" -}}
{{- end -}}
{{- if and $v.roomApi.autoscaling.enabled (lt (int $v.roomApi.autoscaling.maxReplicas) (int $v.roomApi.autoscaling.minReplicas)) -}}
{{- $errors = append $errors "roomApi.autoscaling.maxReplicas is below minReplicas" -}}
{{- end -}}
{{- if and $v.roomApi.pdb.enabled (not $v.roomApi.autoscaling.enabled) (le (int $v.roomApi.replicaCount) (int $v.roomApi.pdb.minAvailable)) -}}
{{- $errors = append $errors (printf "roomApi.pdb.minAvailable=%v with roomApi.replicaCount=%v would block every node drain: raise replicaCount or lower minAvailable" $v.roomApi.pdb.minAvailable $v.roomApi.replicaCount) -}}
{{- end -}}
{{- if and $v.jvb.autoscaling.enabled (lt (int $v.jvb.autoscaling.maxReplicas) (int $v.jvb.autoscaling.minReplicas)) -}}
{{- $errors = append $errors "jvb.autoscaling.maxReplicas is below minReplicas" -}}
{{- end -}}
{{- if and $v.jvb.enabled (not (has $v.jvb.networking.mode (list "hostNetwork" "hostPort"))) -}}
{{- $errors = append $errors (printf "jvb.networking.mode %q is not one of hostNetwork, hostPort" $v.jvb.networking.mode) -}}
{{- end -}}
{{- if and $v.jvb.enabled (eq (int $v.jvb.mediaPort) (int $v.jvb.privatePort)) -}}
{{- $errors = append $errors "jvb.mediaPort and jvb.privatePort must differ" -}}
{{- end -}}
{{- if and $v.jvb.enabled (not $v.prosody.enabled) -}}
{{- $errors = append $errors "jvb.enabled=true needs prosody.enabled=true: the bridges register in Prosody's brewery" -}}
{{- end -}}
{{- if and $v.coturn.enabled (ge (int $v.coturn.relayPortRange.min) (int $v.coturn.relayPortRange.max)) -}}
{{- $errors = append $errors "coturn.relayPortRange.min must be below coturn.relayPortRange.max" -}}
{{- end -}}
{{- if and (or $v.monitoring.prometheusRule.enabled $v.monitoring.podMonitor.enabled) (not $v.jvb.metricsExporter.enabled) -}}
{{- $errors = append $errors "monitoring of bridges needs jvb.metricsExporter.enabled=true: the bridges' REST API is localhost-only" -}}
{{- end -}}
{{- if $errors -}}
{{- fail (printf "\n\nopenmeet: invalid values:\n  - %s\n" (join "\n  - " $errors)) -}}
{{- end -}}
{{- end -}}
