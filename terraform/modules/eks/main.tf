data "aws_region" "current" {}

# An EKS cluster with two managed node groups: "control" in private subnets for room-api and Prosody,
# and "bridges" in public subnets with public addresses and the media and TURN ports open.
data "aws_iam_policy_document" "cluster_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["eks.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "node_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "cluster" {
  name               = "${var.name}-cluster"
  assume_role_policy = data.aws_iam_policy_document.cluster_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy_attachment" "cluster" {
  role       = aws_iam_role.cluster.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"
}

resource "aws_iam_role" "node" {
  name               = "${var.name}-node"
  assume_role_policy = data.aws_iam_policy_document.node_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy_attachment" "node" {
  for_each = toset([
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
  ])

  role       = aws_iam_role.node.name
  policy_arn = each.value
}

resource "aws_eks_cluster" "this" {
  name     = var.name
  version  = var.kubernetes_version
  role_arn = aws_iam_role.cluster.arn
  tags     = var.tags

  vpc_config {
    subnet_ids              = concat(var.private_subnet_ids, var.public_subnet_ids)
    endpoint_private_access = true
    endpoint_public_access  = true
  }

  depends_on = [aws_iam_role_policy_attachment.cluster]
}

# Media reaches the bridges directly: UDP media and TURN from anywhere, on bridge nodes only.
resource "aws_security_group" "bridges" {
  name        = "${var.name}-bridges"
  description = "openmeet bridge and TURN nodes: media and TURN from the internet"
  vpc_id      = var.vpc_id
  tags        = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "jvb_media" {
  security_group_id = aws_security_group.bridges.id
  description       = "JVB media (ICE/DTLS/SRTP)"
  ip_protocol       = "udp"
  from_port         = var.jvb_media_port
  to_port           = var.jvb_media_port
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_ingress_rule" "turn" {
  for_each = toset(["udp", "tcp"])

  security_group_id = aws_security_group.bridges.id
  description       = "TURN listening port (${each.value})"
  ip_protocol       = each.value
  from_port         = var.turn_port
  to_port           = var.turn_port
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_ingress_rule" "turn_relay" {
  security_group_id = aws_security_group.bridges.id
  description       = "TURN relay ports"
  ip_protocol       = "udp"
  from_port         = var.turn_relay_ports.min
  to_port           = var.turn_relay_ports.max
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "bridges_all" {
  security_group_id = aws_security_group.bridges.id
  description       = "Media to browsers, XMPP to Prosody, STUN"
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_launch_template" "bridges" {
  name_prefix            = "${var.name}-bridges-"
  vpc_security_group_ids = [aws_eks_cluster.this.vpc_config[0].cluster_security_group_id, aws_security_group.bridges.id]
  tags                   = var.tags

  metadata_options {
    # The bridges' AWS harvester reads the public address from instance metadata.
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 2
  }
}

resource "aws_eks_node_group" "control" {
  cluster_name    = aws_eks_cluster.this.name
  node_group_name = "control"
  node_role_arn   = aws_iam_role.node.arn
  subnet_ids      = var.private_subnet_ids
  instance_types  = var.control_node_group.instance_types
  labels          = { "openmeet.io/node-group" = "control" }
  tags            = var.tags

  scaling_config {
    min_size     = var.control_node_group.min_size
    desired_size = var.control_node_group.desired_size
    max_size     = var.control_node_group.max_size
  }

  # The cluster autoscaler owns the size after the first apply.
  lifecycle {
    ignore_changes = [scaling_config[0].desired_size]
  }

  depends_on = [aws_iam_role_policy_attachment.node]
}

resource "aws_eks_node_group" "bridges" {
  cluster_name    = aws_eks_cluster.this.name
  node_group_name = "bridges"
  node_role_arn   = aws_iam_role.node.arn
  subnet_ids      = var.public_subnet_ids
  instance_types  = var.bridge_node_group.instance_types
  labels          = { "openmeet.io/node-group" = "bridges" }
  tags            = var.tags

  launch_template {
    id      = aws_launch_template.bridges.id
    version = aws_launch_template.bridges.latest_version
  }

  scaling_config {
    min_size     = var.bridge_node_group.min_size
    desired_size = var.bridge_node_group.desired_size
    max_size     = var.bridge_node_group.max_size
  }

  # Only bridges and TURN (which tolerate this taint) run here.
  taint {
    key    = "openmeet.io/bridges"
    value  = "true"
    effect = "NO_SCHEDULE"
  }

  # One bridge per node: the cluster autoscaler adds a node for each Pending bridge pod.
  lifecycle {
    ignore_changes = [scaling_config[0].desired_size]
  }

  depends_on = [aws_iam_role_policy_attachment.node]
}

# Add-ons: networking, DNS, EKS Pod Identity (how the autoscaler and the EBS driver get their AWS
# roles) and the EBS CSI driver with a default gp3 storage class (PersistentVolumeClaims, e.g. the
# evaluation PostgreSQL, stay Pending without one).
resource "aws_eks_addon" "core" {
  for_each = toset(["vpc-cni", "kube-proxy", "coredns", "eks-pod-identity-agent"])

  cluster_name                = aws_eks_cluster.this.name
  addon_name                  = each.value
  resolve_conflicts_on_update = "OVERWRITE"
  tags                        = var.tags

  depends_on = [aws_eks_node_group.control]
}

data "aws_iam_policy_document" "pod_identity_assume" {
  statement {
    actions = ["sts:AssumeRole", "sts:TagSession"]

    principals {
      type        = "Service"
      identifiers = ["pods.eks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "ebs_csi" {
  name               = "${var.name}-ebs-csi"
  assume_role_policy = data.aws_iam_policy_document.pod_identity_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy_attachment" "ebs_csi" {
  role       = aws_iam_role.ebs_csi.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"
}

resource "aws_eks_pod_identity_association" "ebs_csi" {
  cluster_name    = aws_eks_cluster.this.name
  namespace       = "kube-system"
  service_account = "ebs-csi-controller-sa"
  role_arn        = aws_iam_role.ebs_csi.arn
  tags            = var.tags
}

resource "aws_eks_addon" "ebs_csi" {
  cluster_name                = aws_eks_cluster.this.name
  addon_name                  = "aws-ebs-csi-driver"
  resolve_conflicts_on_update = "OVERWRITE"
  tags                        = var.tags

  # The add-on's own gp3 StorageClass, marked as the cluster default.
  configuration_values = jsonencode({
    defaultStorageClass = { enabled = true }
  })

  depends_on = [aws_eks_addon.core, aws_eks_pod_identity_association.ebs_csi]
}

# Cluster Autoscaler (installed with Helm, values from the output cluster_autoscaler_helm_values):
# finds both node groups by the tags EKS puts on their Auto Scaling groups, and reads labels and
# taints from the node group, so it can scale the bridge group for Pending bridge pods.
data "aws_iam_policy_document" "cluster_autoscaler" {
  statement {
    actions = [
      "autoscaling:DescribeAutoScalingGroups",
      "autoscaling:DescribeAutoScalingInstances",
      "autoscaling:DescribeLaunchConfigurations",
      "autoscaling:DescribeScalingActivities",
      "autoscaling:DescribeTags",
      "ec2:DescribeImages",
      "ec2:DescribeInstanceTypes",
      "ec2:DescribeLaunchTemplateVersions",
      "ec2:GetInstanceTypesFromInstanceRequirements",
      "eks:DescribeNodegroup",
    ]
    resources = ["*"]
  }

  statement {
    actions = [
      "autoscaling:SetDesiredCapacity",
      "autoscaling:TerminateInstanceInAutoScalingGroup",
    ]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/k8s.io/cluster-autoscaler/${var.name}"
      values   = ["owned"]
    }
  }
}

resource "aws_iam_role" "cluster_autoscaler" {
  name               = "${var.name}-cluster-autoscaler"
  assume_role_policy = data.aws_iam_policy_document.pod_identity_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "cluster_autoscaler" {
  name   = "cluster-autoscaler"
  role   = aws_iam_role.cluster_autoscaler.id
  policy = data.aws_iam_policy_document.cluster_autoscaler.json
}

resource "aws_eks_pod_identity_association" "cluster_autoscaler" {
  cluster_name    = aws_eks_cluster.this.name
  namespace       = "kube-system"
  service_account = "cluster-autoscaler"
  role_arn        = aws_iam_role.cluster_autoscaler.arn
  tags            = var.tags
}
