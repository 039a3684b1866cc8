output "bucket" {
  description = "State bucket (the backend's bucket)."
  value       = aws_s3_bucket.state.id
}

output "lock_table" {
  description = "Lock table (the backend's dynamodb_table)."
  value       = aws_dynamodb_table.lock.name
}
