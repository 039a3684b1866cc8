# Redis 7 as one primary with replicas in other zones and automatic failover (cluster mode off); TLS
# and AUTH on. Not Redis Cluster: room-api's admission and lease scripts update keys in several hash
# slots in one atomic call, which a cluster refuses (CROSSSLOT). The primary endpoint is a DNS name
# that ElastiCache moves to the promoted replica on failover; room-api follows it.
resource "aws_elasticache_subnet_group" "this" {
  name       = var.name
  subnet_ids = var.subnet_ids
  tags       = var.tags
}

resource "aws_security_group" "this" {
  name        = "${var.name}-redis"
  description = "openmeet Redis: room-api only"
  vpc_id      = var.vpc_id
  tags        = var.tags
}

# Keys are names chosen in code, values are ids known only after apply: for_each plans on the first run.
resource "aws_vpc_security_group_ingress_rule" "redis" {
  for_each = var.allowed_security_groups

  security_group_id            = aws_security_group.this.id
  description                  = "Redis from ${each.key}"
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
  referenced_security_group_id = each.value
}

resource "aws_elasticache_replication_group" "this" {
  replication_group_id       = var.name
  description                = "openmeet presence, bridge load, leases and events"
  engine                     = "redis"
  engine_version             = "7.1"
  node_type                  = var.node_type
  port                       = 6379
  parameter_group_name       = "default.redis7"
  num_cache_clusters         = 1 + var.replicas
  automatic_failover_enabled = true
  multi_az_enabled           = true
  transit_encryption_enabled = true
  at_rest_encryption_enabled = true
  auth_token                 = var.auth_token
  subnet_group_name          = aws_elasticache_subnet_group.this.name
  security_group_ids         = [aws_security_group.this.id]
  apply_immediately          = false
  tags                       = var.tags
}
