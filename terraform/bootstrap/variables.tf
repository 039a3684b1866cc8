variable "aws_region" {
  type        = string
  description = "Region of the state bucket and lock table (one pair per region)."
}

variable "bucket_name" {
  type        = string
  description = "Name of the state bucket (globally unique)."
}

variable "lock_table_name" {
  type        = string
  description = "Name of the DynamoDB lock table."
  default     = "openmeet-tfstate-lock"
}
