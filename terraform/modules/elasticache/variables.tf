variable "name" {
  type        = string
  description = "Replication group id prefix, e.g. openmeet-eu-west-1."
}

variable "vpc_id" {
  type        = string
  description = "VPC of the cache (vpc module output vpc_id)."
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnets in at least two zones (vpc module output private_subnet_ids)."
}

variable "allowed_security_group_ids" {
  type        = list(string)
  description = "Security groups allowed to connect on 6379 (eks module output cluster_security_group_id)."
}

variable "node_type" {
  type        = string
  description = "Cache node type."
  default     = "cache.r7g.large"
}

variable "shards" {
  type        = number
  description = "Cluster-mode shards (node groups); keys spread over them by hash slot."
  default     = 2

  validation {
    condition     = var.shards >= 1 && var.shards <= 500
    error_message = "shards must be between 1 and 500."
  }
}

variable "replicas_per_shard" {
  type        = number
  description = "Replicas of each shard, in other zones; at least one for automatic failover."
  default     = 1

  validation {
    condition     = var.replicas_per_shard >= 1 && var.replicas_per_shard <= 5
    error_message = "replicas_per_shard must be between 1 and 5 (failover needs a replica)."
  }
}

variable "auth_token" {
  type        = string
  description = "Redis AUTH token (16 to 128 characters); store it in the Kubernetes Secret named by externalRedis.existingSecret."
  sensitive   = true

  validation {
    condition     = length(var.auth_token) >= 16 && length(var.auth_token) <= 128
    error_message = "auth_token must be 16 to 128 characters long."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every object."
  default     = {}
}
