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

variable "allowed_security_groups" {
  type        = map(string)
  description = "Security groups allowed to connect on 6379, by a name fixed in code (e.g. { eks_nodes = module.eks.cluster_security_group_id }): for_each needs keys known at plan time."
}

variable "node_type" {
  type        = string
  description = "Cache node type."
  default     = "cache.r7g.large"
}

variable "replicas" {
  type        = number
  description = "Replicas of the primary, in other zones; at least one for automatic failover."
  default     = 2

  validation {
    condition     = var.replicas >= 1 && var.replicas <= 5
    error_message = "replicas must be between 1 and 5 (failover needs a replica)."
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
