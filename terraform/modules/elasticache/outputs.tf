output "configuration_endpoint" {
  description = "Cluster-mode configuration endpoint host."
  value       = aws_elasticache_replication_group.this.configuration_endpoint_address
}

output "port" {
  description = "Redis port."
  value       = aws_elasticache_replication_group.this.port
}

output "url" {
  description = "Helm value externalRedis.url (TLS; set externalRedis.clusterMode=true)."
  value       = "rediss://${aws_elasticache_replication_group.this.configuration_endpoint_address}:${aws_elasticache_replication_group.this.port}"
}
