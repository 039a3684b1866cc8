output "primary_endpoint" {
  description = "Primary endpoint host: follows the primary across failovers."
  value       = aws_elasticache_replication_group.this.primary_endpoint_address
}

output "port" {
  description = "Redis port."
  value       = aws_elasticache_replication_group.this.port
}

output "url" {
  description = "Helm value externalRedis.url (TLS, externalRedis.mode=standalone)."
  value       = "rediss://${aws_elasticache_replication_group.this.primary_endpoint_address}:${aws_elasticache_replication_group.this.port}"
}
